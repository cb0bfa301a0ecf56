package io.quorumkv.statemachine.storage;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Owns native RocksDB objects and closes them in reverse order of creation, so that column family
 * handles go before their database and the database before the options it was opened with.
 */
final class NativeResources implements AutoCloseable {

  private final Deque<AutoCloseable> owned = new ArrayDeque<>();

  <T extends AutoCloseable> T track(T resource) {
    owned.push(resource);
    return resource;
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    while (!owned.isEmpty()) {
      try {
        owned.pop().close();
      } catch (Exception e) {
        // Keep closing the rest: a leak of the others would be worse than losing this error's detail.
        if (failure == null) {
          failure = new IllegalStateException("failed to close a RocksDB resource", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
