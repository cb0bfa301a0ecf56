package io.quorumkv.server.raft;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Lets concurrent linearizable reads share Raft ReadIndex barriers. At most one barrier is in flight; every
 * read that arrives meanwhile waits for the next one, which starts when the current one completes. A read
 * never uses a barrier that started before it arrived, so each still sees every write acknowledged before
 * it began (a barrier started earlier could carry an older commit index). This is etcd's read loop: one
 * ReadIndex (and, on a follower, one round trip to the leader) serves every read that queued behind it.
 * A failed barrier fails the reads that waited for it. Thread-safe.
 */
final class SharedReadBarrier {

  private final Supplier<CompletableFuture<Void>> barrier;
  private boolean inFlight;
  /** The reads waiting for the next barrier; null if none. */
  private CompletableFuture<Void> next;

  /** @param barrier starts one ReadIndex barrier; it completes once this member has applied its index */
  SharedReadBarrier(Supplier<CompletableFuture<Void>> barrier) {
    this.barrier = barrier;
  }

  /** Completes once a barrier that started after this call has completed. */
  CompletableFuture<Void> await() {
    synchronized (this) {
      if (inFlight) {
        if (next == null) {
          next = new CompletableFuture<>();
        }
        return next;
      }
      inFlight = true;
    }
    CompletableFuture<Void> waiter = new CompletableFuture<>();
    run(waiter);
    return waiter;
  }

  private void run(CompletableFuture<Void> waiters) {
    CompletableFuture<Void> started;
    try {
      started = barrier.get();
    } catch (RuntimeException e) {
      started = CompletableFuture.failedFuture(e);
    }
    started.whenComplete((ignored, error) -> {
      CompletableFuture<Void> queued;
      synchronized (this) {
        queued = next;
        next = null;
        inFlight = queued != null;
      }
      if (queued != null) {
        run(queued);
      }
      if (error != null) {
        waiters.completeExceptionally(error);
      } else {
        waiters.complete(null);
      }
    });
  }
}
