package io.quorumkv.server.raft;

import io.quorumkv.proto.v1.ErrorCode;
import io.quorumkv.server.errors.KvError;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * Waits for a member other than a given one to become leader, without blocking any thread: the leader
 * this member believes in is polled on one small scheduler thread of its own.
 */
final class LeaderChangeWatch implements AutoCloseable {
  private static final long POLL_MILLIS = 20;

  private final Supplier<RaftPeerId> currentLeader;
  private final ScheduledExecutorService poller;
  private final Set<CompletableFuture<String>> pending = ConcurrentHashMap.newKeySet();

  /**
   * @param currentLeader the leader this member believes in, null while it knows none
   * @param threadName name of the polling thread
   */
  LeaderChangeWatch(Supplier<RaftPeerId> currentLeader, String threadName) {
    this.currentLeader = currentLeader;
    this.poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, threadName);
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * Completes with the id of the first leader seen that is not {@code old}, or fails with
   * LEADER_NOT_READY after {@code timeoutMillis}, or with NODE_UNAVAILABLE once this watch is closed.
   * Completions run on the polling thread: chain only light work on them.
   */
  CompletableFuture<String> leaderOtherThan(RaftPeerId old, long timeoutMillis) {
    CompletableFuture<String> result = new CompletableFuture<>();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    pending.add(result);
    result.whenComplete((leader, error) -> pending.remove(result));
    try {
      ScheduledFuture<?> poll = poller.scheduleWithFixedDelay(() -> {
        RaftPeerId leader = currentLeader.get();
        if (leader != null && !leader.equals(old)) {
          result.complete(leader.toString());
        } else if (System.nanoTime() - deadline >= 0) {
          result.completeExceptionally(new KvError(ErrorCode.LEADER_NOT_READY,
              "no new leader within " + timeoutMillis + " ms after " + old + " stepped down"));
        }
      }, 0, POLL_MILLIS, TimeUnit.MILLISECONDS);
      result.whenComplete((leader, error) -> poll.cancel(false));
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(closed());
    }
    return result;
  }

  /** Stops polling and fails every pending wait. Idempotent. */
  @Override
  public void close() {
    poller.shutdownNow();
    pending.forEach(result -> result.completeExceptionally(closed()));
  }

  private static KvError closed() {
    return new KvError(ErrorCode.NODE_UNAVAILABLE, "member is shutting down");
  }
}
