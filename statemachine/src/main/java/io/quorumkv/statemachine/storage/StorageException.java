package io.quorumkv.statemachine.storage;

/**
 * The storage engine failed (I/O error, corruption, closed engine handle). Not a business outcome: the
 * replica cannot safely continue applying entries, so callers on the apply path let it propagate.
 */
public final class StorageException extends RuntimeException {

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
