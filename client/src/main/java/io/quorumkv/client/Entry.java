package io.quorumkv.client;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.v1.KeyValue;
import io.quorumkv.proto.v1.Value;

/**
 * A stored key as read: its value and bookkeeping (Raft log indexes), plus the applied index of the state
 * the read observed.
 *
 * @param key the key bytes
 * @param value the value; has no kind set ({@link #hasValue()} false) when read with keys only
 * @param createIndex log index of the write that created the key
 * @param modIndex log index of the last write to the key
 * @param version number of writes since the key was created (1 after the creating write)
 * @param appliedIndex applied index of the state the read observed (from the response header)
 */
public record Entry(
    ByteString key, Value value, long createIndex, long modIndex, long version, long appliedIndex) {

  static Entry of(KeyValue kv, long appliedIndex) {
    return new Entry(
        kv.getKey(), kv.getValue(), kv.getCreateIndex(), kv.getModIndex(), kv.getVersion(), appliedIndex);
  }

  /** The key decoded as UTF-8 (malformed bytes become U+FFFD). */
  public String keyUtf8() {
    return key.toStringUtf8();
  }

  /** False when the entry comes from a keys-only scan. */
  public boolean hasValue() {
    return value.getKindCase() != Value.KindCase.KIND_NOT_SET;
  }

  /** The value rendered for display, see {@link Values#render(Value)}. */
  public String renderedValue() {
    return Values.render(value);
  }
}
