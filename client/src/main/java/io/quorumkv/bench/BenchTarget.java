package io.quorumkv.bench;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * One connection to the system under test, as the bench drives it. Every method must return at once
 * (never block) and complete its future from the system's own threads; a future may also be already
 * completed. The bench never mutates the arrays it passes, so implementations may wrap them without
 * copying. Failures complete the future exceptionally (or are thrown); the bench counts them by {@link
 * #errorKind} and carries on. Implementations must be thread-safe: several logical clients share one.
 */
public interface BenchTarget extends AutoCloseable {
  /** Sets {@code key} to {@code value}. */
  CompletableFuture<?> put(byte[] key, byte[] value);

  /** Reads {@code key}, linearizably or from the answering member's local state. Absent is a success. */
  CompletableFuture<?> get(byte[] key, boolean linearizable);

  /** Puts every {@code keys[i]} to {@code values[i]} atomically, in one request. */
  CompletableFuture<?> batchPut(List<byte[]> keys, List<byte[]> values);

  /** Adds {@code delta} to the integer at {@code key} (absent counts as 0). */
  CompletableFuture<?> increment(byte[] key, long delta);

  /**
   * A short, stable name for a failure, to count failures by: by default the simple class name of the
   * cause (unwrapping {@link CompletionException} and {@link ExecutionException}).
   */
  default String errorKind(Throwable error) {
    return unwrap(error).getClass().getSimpleName();
  }

  @Override
  void close();

  static Throwable unwrap(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
