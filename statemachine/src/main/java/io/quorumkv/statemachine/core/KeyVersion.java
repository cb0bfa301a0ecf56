package io.quorumkv.statemachine.core;

import io.quorumkv.proto.internal.StoredValue;
import java.util.Optional;

/**
 * What a put or delete needs to know of a key's previous value: whether it exists, its create index and
 * its version (a present key's version is at least 1).
 */
record KeyVersion(long createIndex, long version) {

  static final KeyVersion ABSENT = new KeyVersion(0, 0);

  static KeyVersion of(Optional<StoredValue> value) {
    return value.map(v -> new KeyVersion(v.getCreateIndex(), v.getVersion())).orElse(ABSENT);
  }

  boolean exists() {
    return version > 0;
  }
}
