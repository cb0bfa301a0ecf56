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
 * index definitions. A later write to a key replaces an earlier one. Iteration follows the order in which
 * keys were first written, so the same commands always produce the same write set.
 */
public final class WriteSet {

  /** One staged write: a new value, or a deletion when {@code value} is empty. */
  public record Write(ByteString key, Optional<StoredValue> value) {}

  /** A staged index definition change: {@code definition} empty means the index named is dropped. */
  public record DefinitionChange(String name, Optional<IndexDefinition> definition) {}

  private final Map<ByteString, Optional<StoredValue>> staged = new LinkedHashMap<>();
  private final Map<String, Optional<IndexDefinition>> definitions = new LinkedHashMap<>();

  /** Stages {@code key = value}. */
  public void put(ByteString key, StoredValue value) {
    staged.put(key, Optional.of(value));
  }

  /** Stages the removal of {@code key}. */
  public void delete(ByteString key) {
    staged.put(key, Optional.empty());
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
    staged.putAll(later.staged);
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
    Optional<StoredValue> value = staged.get(key);
    if (value == null) {
      throw new IllegalArgumentException("key not staged");
    }
    return value;
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
    staged.forEach((key, value) -> writes.add(new Write(key, value)));
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
