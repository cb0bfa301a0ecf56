package io.quorumkv.statemachine.storage;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.IndexDefinition;
import io.quorumkv.proto.internal.StoredValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The mutations one log entry makes, staged before they are committed together: key writes and search
 * index definitions. A later write to a key replaces an earlier one, but the key keeps the value it had
 * before the first (so {@link Write#before()} is the value before the whole set). Iteration follows the
 * order in which keys were first written, so the same commands always produce the same write set.
 */
public final class WriteSet {

  /**
   * One staged write: a new value, or a deletion when {@code value} is empty; {@code before} is the key's
   * committed value before this set (empty if it was absent).
   */
  public record Write(ByteString key, Optional<StoredValue> before, Optional<StoredValue> value) {}

  /** A staged index definition change: {@code definition} empty means the index named is dropped. */
  public record DefinitionChange(String name, Optional<IndexDefinition> definition) {}

  private record Staged(Optional<StoredValue> before, Optional<StoredValue> value) {}

  private final Map<ByteString, Staged> staged = new LinkedHashMap<>();
  private final Map<String, Optional<IndexDefinition>> definitions = new LinkedHashMap<>();

  /** Stages {@code key = value}; {@code before} is the key's value as this write found it. */
  public void put(ByteString key, Optional<StoredValue> before, StoredValue value) {
    stage(key, before, Optional.of(value));
  }

  /** Stages the removal of {@code key}; {@code before} is the key's value as this write found it. */
  public void delete(ByteString key, Optional<StoredValue> before) {
    stage(key, before, Optional.empty());
  }

  private void stage(ByteString key, Optional<StoredValue> before, Optional<StoredValue> value) {
    Staged earlier = staged.get(key);
    staged.put(key, new Staged(earlier == null ? before : earlier.before(), value));
  }

  /** Stages the definition of a search index (replacing one of the same name). */
  public void defineIndex(IndexDefinition definition) {
    definitions.put(definition.getSpec().getName(), Optional.of(definition));
  }

  /** Stages the removal of the search index {@code name}. */
  public void dropIndex(String name) {
    definitions.put(name, Optional.empty());
  }

  /** Stages every write of {@code later} after this set's own, as if they had been staged here. */
  public void addAll(WriteSet later) {
    later.staged.forEach((key, write) -> stage(key, write.before(), write.value()));
    definitions.putAll(later.definitions);
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
    Staged write = staged.get(key);
    if (write == null) {
      throw new IllegalArgumentException("key not staged");
    }
    return write.value();
  }

  /** Whether this set changes the index definition {@code name}. */
  public boolean touchesDefinition(String name) {
    return definitions.containsKey(name);
  }

  /**
   * The staged definition of index {@code name}: empty if it is dropped.
   *
   * @throws IllegalArgumentException if this set does not change {@code name}
   */
  public Optional<IndexDefinition> stagedDefinition(String name) {
    Optional<IndexDefinition> definition = definitions.get(name);
    if (definition == null) {
      throw new IllegalArgumentException("index definition not staged");
    }
    return definition;
  }

  /** The staged writes, one per key. */
  public List<Write> writes() {
    List<Write> writes = new ArrayList<>(staged.size());
    staged.forEach((key, write) -> writes.add(new Write(key, write.before(), write.value())));
    return writes;
  }

  /** The staged index definition changes, one per name. */
  public List<DefinitionChange> definitionChanges() {
    List<DefinitionChange> changes = new ArrayList<>(definitions.size());
    definitions.forEach((name, definition) -> changes.add(new DefinitionChange(name, definition)));
    return changes;
  }

  /** Whether nothing is staged. */
  public boolean isEmpty() {
    return staged.isEmpty() && definitions.isEmpty();
  }
}
