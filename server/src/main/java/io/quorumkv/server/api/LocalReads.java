package io.quorumkv.server.api;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.Deadline;
import io.quorumkv.proto.v1.Consistency;
import io.quorumkv.proto.v1.ErrorCode;
import io.quorumkv.proto.v1.ReadOptions;
import io.quorumkv.server.errors.KvError;
import io.quorumkv.server.raft.RaftGateway;
import io.quorumkv.statemachine.KvStateMachine;
import io.quorumkv.statemachine.TooManyWaitersException;
import io.quorumkv.statemachine.read.PointRead;
import io.quorumkv.statemachine.read.ReadView;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs reads against this member's local state at the requested consistency: LINEARIZABLE waits for the
 * Raft read barrier, STALE optionally for a minimum applied index (one the cluster has committed). The
 * query itself runs on our executor (never on a Ratis thread) against one consistent view.
 */
final class LocalReads {
  private static final Duration MAX_STALE_WAIT = Duration.ofSeconds(10);
  private final RaftGateway raft;
  private final KvStateMachine stateMachine;
  private final Executor executor;

  LocalReads(RaftGateway raft, KvStateMachine stateMachine, Executor executor) {
    this.raft = raft;
    this.stateMachine = stateMachine;
    this.executor = executor;
  }

  /**
   * Runs {@code query} on a local view once the consistency allows, on the request executor: at once on
   * the calling thread (a request-executor thread) if it already does, as a satisfied stale read does.
   */
  <T> CompletableFuture<T> read(ReadOptions options, Function<ReadView, T> query) {
    return whenReady(options, () -> query(query));
  }

  /**
   * Reads one key once the consistency allows, as {@link #read} runs a query, without opening a view where
   * the store can ({@link KvStateMachine#readKey}); {@code reply} builds the answer from the key and the
   * applied index of the state read.
   */
  <T> CompletableFuture<T> readKey(ReadOptions options, ByteString key, boolean keysOnly,
      Function<PointRead, T> reply) {
    return whenReady(options, () -> reply.apply(pointRead(key, keysOnly)));
  }

  /** Runs {@code read} at once on the calling thread if the consistency already allows, else on the executor. */
  private <T> CompletableFuture<T> whenReady(ReadOptions options, Supplier<T> read) {
    CompletableFuture<Void> ready = ready(options);
    if (ready.isDone() && !ready.isCompletedExceptionally()) {
      return CompletableFuture.completedFuture(read.get());
    }
    return ready.thenApplyAsync(ignored -> read.get(), executor);
  }

  private PointRead pointRead(ByteString key, boolean keysOnly) {
    try {
      return stateMachine.readKey(key, keysOnly);
    } catch (IllegalStateException e) {
      throw notReadable(e);
    }
  }

  private <T> T query(Function<ReadView, T> query) {
    try (ReadView view = openView()) {
      return query.apply(view);
    }
  }

  /** Completes once a local read at this consistency may start. */
  CompletableFuture<Void> ready(ReadOptions options) {
    if (options.getConsistency() != Consistency.STALE) {
      return raft.readBarrier();
    }
    // min_index is a uint64: compare unsigned, so that values above 2^63 count as huge, not negative.
    long minIndex = options.getMinIndex();
    if (minIndex == 0 || Long.compareUnsigned(stateMachine.lastAppliedIndex(), minIndex) >= 0) {
      return CompletableFuture.completedFuture(null);
    }
    long waitMillis = staleWaitMillis();
    return committed(minIndex)
        .thenCompose(ignored -> stateMachine.awaitApplied(minIndex))
        .orTimeout(waitMillis, TimeUnit.MILLISECONDS)
        .exceptionally(e -> {
          throw staleWaitFailure(e, minIndex, waitMillis);
        });
  }

  /**
   * Completes once {@code minIndex} is known to be committed, so waiting for its apply ends soon. A
   * member's commit index may lag the leader's: a ReadIndex barrier brings it up to the leader's. An index
   * still beyond it was never returned by this cluster (every header's index is committed): waiting for
   * it would only hold a waiter until the read times out.
   */
  private CompletableFuture<Void> committed(long minIndex) {
    if (committedHere(minIndex)) {
      return CompletableFuture.completedFuture(null);
    }
    return raft.readBarrier().thenRun(() -> {
      if (!committedHere(minIndex)) {
        throw KvError.invalid("min_index " + Long.toUnsignedString(minIndex) + " is beyond the cluster's commit"
            + " index " + commitIndex() + ": it was not returned by this cluster");
      }
    });
  }

  private boolean committedHere(long minIndex) {
    return Long.compareUnsigned(minIndex, commitIndex()) <= 0;
  }

  /** Ratis reports -1 before anything is committed. */
  private long commitIndex() {
    return Math.max(0, raft.commitIndex());
  }

  private RuntimeException staleWaitFailure(Throwable failure, long minIndex, long waitMillis) {
    Throwable e = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (e instanceof TimeoutException) {
      return new KvError(ErrorCode.STALE_READ_TIMEOUT, "this member did not reach min_index "
          + Long.toUnsignedString(minIndex) + " within " + waitMillis + " ms (applied: "
          + stateMachine.lastAppliedIndex() + "); retry or read from the leader");
    }
    if (e instanceof TooManyWaitersException) {
      return new KvError(ErrorCode.OVERLOADED, "too many stale reads wait for min_index on this member: "
          + e.getMessage());
    }
    return e instanceof RuntimeException re ? re : new CompletionException(e);
  }

  private ReadView openView() {
    try {
      return stateMachine.openReadView();
    } catch (IllegalStateException e) {
      throw notReadable(e);
    }
  }

  private static KvError notReadable(IllegalStateException e) {
    return new KvError(ErrorCode.NODE_UNAVAILABLE, "local state is not readable right now: " + e.getMessage());
  }

  private static long staleWaitMillis() {
    Deadline deadline = Context.current().getDeadline();
    long max = MAX_STALE_WAIT.toMillis();
    return deadline == null ? max : Math.max(1, Math.min(max, deadline.timeRemaining(TimeUnit.MILLISECONDS)));
  }
}
