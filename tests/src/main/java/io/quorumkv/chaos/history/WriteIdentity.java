package io.quorumkv.chaos.history;

import java.util.HexFormat;

/**
 * The identity of a write as the cluster deduplicates it (the {@code client_id} and {@code sequence} of a
 * {@code WriteId}): a re-send carries the same one.
 *
 * @param clientId the 16-byte client id, in hex
 * @param sequence the write's sequence under that client id (at least 1)
 */
public record WriteIdentity(String clientId, long sequence) {

  public static WriteIdentity of(byte[] clientId, long sequence) {
    return new WriteIdentity(HexFormat.of().formatHex(clientId), sequence);
  }

  /** Short form for reports, e.g. {@code 3fa2c1d0#17}. */
  public String shortForm() {
    return clientId.substring(0, Math.min(8, clientId.length())) + "#" + sequence;
  }
}
