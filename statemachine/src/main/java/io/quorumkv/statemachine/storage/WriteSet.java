package io.quorumkv.statemachine.storage;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.StoredValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The key mutations one log entry makes, staged before they are committed together. A later write to a
 * key replaces an earlier one. Iteration follows the order in which keys were first written, so the same
 * commands always produce the same write set.
 */
public final class WriteSet {

  /** One staged write: a new value, or a deletion when {@code value} is empty. */
  public record Write(ByteString key, Optional<StoredValue> value) {}

  private final Map<ByteString, Optional<StoredValue>> staged = new LinkedHashMap<>();

  /** Stages {@code key = value}. */
  public void put(ByteString key, StoredValue value) {
    staged.put(key, Optional.of(value));
  }

  /** Stages the removal of {@code key}. */
  public void delete(ByteString key) {
    staged.put(key, Optional.empty());
  }

  /** Stages every write of {@code later} after this set's own, as if they had been staged here. */
  public void addAll(WriteSet later) {
    staged.putAll(later.staged);
  }

  /** Whether this set writes {@code key}. */
  public boolean touches(ByteString key) {
    return staged.containsKey(key);
  }

  /**
   * The staged state of {@code key}: its new value, or empty if it is staged for deletion.
   *
   * @throws IllegalArgumentException if this set does not write {@code key}
   */
  public Optional<StoredValue> staged(ByteString key) {
    Optional<StoredValue> value = staged.get(key);
    if (value == null) {
      throw new IllegalArgumentException("key not staged");
    }
    return value;
  }

  /** The staged writes, one per key. */
  public List<Write> writes() {
    List<Write> writes = new ArrayList<>(staged.size());
    staged.forEach((key, value) -> writes.add(new Write(key, value)));
    return writes;
  }
}
