package io.quorumkv.client;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.v1.WriteId;
import java.nio.ByteBuffer;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands out the identity of each logical write: this client's 16-byte id plus a sequence starting at 1.
 * A write takes its id once and every retry re-sends it, which is what lets the servers apply a retried
 * write at most once, also across leader changes. Thread-safe.
 */
final class WriteIds {
  private final ByteString clientId;
  private final AtomicLong lastSequence = new AtomicLong();

  WriteIds(UUID clientId) {
    ByteBuffer bytes = ByteBuffer.allocate(16);
    bytes.putLong(clientId.getMostSignificantBits()).putLong(clientId.getLeastSignificantBits());
    this.clientId = ByteString.copyFrom(bytes.array());
  }

  /** The id of a new logical write. */
  WriteId next() {
    return WriteId.newBuilder()
        .setClientId(clientId)
        .setSequence(lastSequence.incrementAndGet())
        .build();
  }
}
