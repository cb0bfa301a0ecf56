package io.quorumkv.chaos.checker;

import io.quorumkv.client.Entry;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;

/**
 * A fingerprint of one member's key space: the number of keys and a SHA-256 over every key, value and
 * bookkeeping index in key order. Two members with equal digests hold the same data.
 *
 * @param keys number of keys
 * @param sha256 hex digest
 */
public record ReplicaDigest(long keys, String sha256) {

  /** Digests entries delivered in key order (as a scan delivers them). */
  public static ReplicaDigest of(Iterator<Entry> entries) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
    long count = 0;
    while (entries.hasNext()) {
      Entry e = entries.next();
      byte[] key = e.key().toByteArray();
      byte[] value = e.value().toByteArray();
      // Lengths first, so that no two different sequences of entries feed the same bytes.
      sha.update(ByteBuffer.allocate(8 + 8 * 3).putInt(key.length).putInt(value.length)
          .putLong(e.createIndex()).putLong(e.modIndex()).putLong(e.version()).array());
      sha.update(key);
      sha.update(value);
      count++;
    }
    return new ReplicaDigest(count, HexFormat.of().formatHex(sha.digest()));
  }
}
