package io.quorumkv.statemachine;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Futures that complete once the applied index reaches a given index. {@link #advance} is called on the
 * apply thread and only hands work to a private single thread, so waiters (and whatever callers chain
 * on them without an executor) never run on the apply thread.
 */
public final class AppliedIndexWaiters implements AutoCloseable {
  /**
   * Most distinct indexes awaited at once. An entry stays until its index is applied, even after its
   * callers gave up, so without a bound callers asking for indexes that are not reached soon could grow
   * the member's memory; legitimate waits are for committed indexes and end quickly, so this is ample.
   */
  static final int MAX_PENDING_INDEXES = 10_000;

  private final AtomicLong applied = new AtomicLong();
  // One shared future per awaited index; callers get copies so none can complete it for the others.
  private final ConcurrentSkipListMap<Long, CompletableFuture<Void>> waiting = new ConcurrentSkipListMap<>();
  // Entries of `waiting`, counted apart because the map's size() walks the whole map.
  private final AtomicInteger pendingIndexes = new AtomicInteger();
  private final ExecutorService completer;
  private volatile boolean closed;

  /** Waiters completed on a daemon thread named {@code threadName}. */
  public AppliedIndexWaiters(String threadName) {
    completer = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, threadName);
      thread.setDaemon(true);
      return thread;
    });
  }

  AppliedIndexWaiters() {
    this("quorumkv-applied-waiters");
  }

  /**
   * Completes normally once the applied index is at least {@code index} (at once if it already is), or
   * exceptionally with {@link IllegalStateException} if this is closed first. Fails at once with
   * {@link TooManyWaitersException} if {@code index} is not awaited yet and {@link #MAX_PENDING_INDEXES}
   * other indexes are.
   */
  public CompletableFuture<Void> await(long index) {
    if (closed) {
      return CompletableFuture.failedFuture(closedException());
    }
    if (index <= applied.get()) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> shared = waiting.get(index);
    if (shared == null) {
      shared = register(index);
      if (shared == null) {
        return CompletableFuture.failedFuture(new TooManyWaitersException(MAX_PENDING_INDEXES));
      }
    }
    // advance() or close() may have run between the checks above and the registration, without
    // seeing this waiter: look again.
    if (index <= applied.get() || closed) {
      scheduleDrain();
    }
    return shared.copy();
  }

  /** The shared future of {@code index}, newly added unless another caller added it first; null if full. */
  private CompletableFuture<Void> register(long index) {
    if (pendingIndexes.incrementAndGet() > MAX_PENDING_INDEXES) {
      pendingIndexes.decrementAndGet();
      return null;
    }
    CompletableFuture<Void> fresh = new CompletableFuture<>();
    CompletableFuture<Void> existing = waiting.putIfAbsent(index, fresh);
    if (existing != null) {
      pendingIndexes.decrementAndGet();
      return existing;
    }
    return fresh;
  }

  /** Records that everything up to {@code index} is applied. Indexes never go back. */
  public void advance(long index) {
    long now = applied.accumulateAndGet(index, Math::max);
    Map.Entry<Long, CompletableFuture<Void>> first = waiting.firstEntry();
    if (first != null && first.getKey() <= now) {
      scheduleDrain();
    }
  }

  /** Fails every pending waiter and stops the completion thread. Idempotent. */
  @Override
  public void close() {
    closed = true;
    completer.shutdown();
    failAll();
  }

  private void scheduleDrain() {
    try {
      completer.execute(this::drain);
    } catch (RejectedExecutionException e) {
      // Closed meanwhile: nobody will drain any more.
      failAll();
    }
  }

  private void drain() {
    long now = applied.get();
    for (Map.Entry<Long, CompletableFuture<Void>> first = waiting.firstEntry();
        first != null && first.getKey() <= now; first = waiting.firstEntry()) {
      if (waiting.remove(first.getKey(), first.getValue())) {
        pendingIndexes.decrementAndGet();
        first.getValue().complete(null);
      }
    }
    if (closed) {
      failAll();
    }
  }

  private void failAll() {
    for (Map.Entry<Long, CompletableFuture<Void>> entry; (entry = waiting.pollFirstEntry()) != null; ) {
      pendingIndexes.decrementAndGet();
      entry.getValue().completeExceptionally(closedException());
    }
  }

  private static IllegalStateException closedException() {
    return new IllegalStateException("state machine is closed");
  }
}
