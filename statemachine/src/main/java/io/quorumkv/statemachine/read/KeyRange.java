package io.quorumkv.statemachine.read;

import com.google.protobuf.ByteString;
import java.util.Objects;

/**
 * The keys {@code k} with {@code startInclusive <= k < endExclusive} in unsigned-lexicographic order. An
 * empty {@code startInclusive} starts at the first key; an empty {@code endExclusive} means unbounded.
 */
public record KeyRange(ByteString startInclusive, ByteString endExclusive) {

  /** Every key. */
  public static final KeyRange ALL = new KeyRange(ByteString.EMPTY, ByteString.EMPTY);

  public KeyRange {
    Objects.requireNonNull(startInclusive, "startInclusive");
    Objects.requireNonNull(endExclusive, "endExclusive");
  }

  /**
   * The keys starting with {@code prefix}. The exclusive end is the prefix with its last byte that is not
   * 0xFF incremented and everything after it dropped; a prefix that is empty or all 0xFF bytes has no
   * finite end, so the range is unbounded above.
   */
  public static KeyRange prefix(ByteString prefix) {
    byte[] end = prefix.toByteArray();
    for (int i = end.length - 1; i >= 0; i--) {
      if (end[i] != (byte) 0xFF) {
        end[i]++;
        return new KeyRange(prefix, ByteString.copyFrom(end, 0, i + 1));
      }
    }
    return new KeyRange(prefix, ByteString.EMPTY);
  }

  /** Whether {@code key} lies before the end of this range (ignores the start). */
  public boolean isBeforeEnd(ByteString key) {
    return endExclusive.isEmpty()
        || ByteString.unsignedLexicographicalComparator().compare(key, endExclusive) < 0;
  }
}
