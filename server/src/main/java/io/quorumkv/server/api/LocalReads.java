package io.quorumkv.server.api;

import io.grpc.Context;
import io.grpc.Deadline;
import io.quorumkv.proto.v1.Consistency;
import io.quorumkv.proto.v1.ErrorCode;
import io.quorumkv.proto.v1.ReadOptions;
import io.quorumkv.server.errors.KvError;
import io.quorumkv.server.raft.RaftGateway;
import io.quorumkv.statemachine.KvStateMachine;
import io.quorumkv.statemachine.read.ReadView;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Runs reads against this member's local state at the requested consistency: LINEARIZABLE waits for the
 * Raft read barrier, STALE optionally for a minimum applied index. The query itself runs on our executor
 * (never on a Ratis thread) against one consistent view.
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

  <T> CompletableFuture<T> read(ReadOptions options, Function<ReadView, T> query) {
    return ready(options).thenApplyAsync(ignored -> {
      try (ReadView view = openView()) {
        return query.apply(view);
      }
    }, executor);
  }

  /** Completes once a local read at this consistency may start. */
  CompletableFuture<Void> ready(ReadOptions options) {
    if (options.getConsistency() != Consistency.STALE) {
      return raft.readBarrier();
    }
    if (options.getMinIndex() == 0 || stateMachine.lastAppliedIndex() >= options.getMinIndex()) {
      return CompletableFuture.completedFuture(null);
    }
    long waitMillis = staleWaitMillis();
    return stateMachine.awaitApplied(options.getMinIndex())
        .orTimeout(waitMillis, TimeUnit.MILLISECONDS)
        .exceptionally(e -> {
          if (e instanceof TimeoutException || e.getCause() instanceof TimeoutException) {
            throw new KvError(ErrorCode.STALE_READ_TIMEOUT, "this member did not reach min_index "
                + options.getMinIndex() + " within " + waitMillis + " ms (applied: "
                + stateMachine.lastAppliedIndex() + "); retry or read from the leader");
          }
          throw e instanceof RuntimeException re ? re : new RuntimeException(e);
        });
  }

  private ReadView openView() {
    try {
      return stateMachine.openReadView();
    } catch (IllegalStateException e) {
      throw new KvError(ErrorCode.NODE_UNAVAILABLE, "local state is not readable right now: " + e.getMessage());
    }
  }

  private static long staleWaitMillis() {
    Deadline deadline = Context.current().getDeadline();
    long max = MAX_STALE_WAIT.toMillis();
    return deadline == null ? max : Math.max(1, Math.min(max, deadline.timeRemaining(TimeUnit.MILLISECONDS)));
  }
}
