package io.quorumkv.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The retry loop against scripted attempt outcomes, without gRPC. */
class RetryingCallerTest {
  private static final long SEED = 11;

  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final EndpointRouter router = new EndpointRouter(List.of("a:1", "b:1", "c:1"));
  private final List<String> sentTo = new ArrayList<>();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  private RetryingCaller caller(ScheduledExecutorService scheduler, Duration overall) {
    Backoff backoff = new Backoff(Duration.ofMillis(1), Duration.ofMillis(10), new Random(SEED));
    return new RetryingCaller(
        router, backoff, scheduler, Duration.ofSeconds(1), overall, System::nanoTime);
  }

  /** An attempt that fails with the scripted errors in order, then answers "ok". */
  private RetryingCaller.Attempt<String> scripted(RuntimeException... failures) {
    Deque<RuntimeException> script = new ArrayDeque<>(Arrays.asList(failures));
    return (endpoint, timeoutNanos) -> {
      sentTo.add(endpoint);
      RuntimeException next = script.poll();
      return next == null ? CompletableFuture.completedFuture("ok") : CompletableFuture.failedFuture(next);
    };
  }

  @Test
  void theFirstRedirectIsFollowedWithoutWaiting() {
    ScheduledExecutorService closed = Executors.newSingleThreadScheduledExecutor();
    closed.shutdown(); // any backoff would fail the call
    CompletableFuture<String> result =
        caller(closed, Duration.ofSeconds(1))
            .call(
                CallKind.WRITE,
                "Put",
                scripted(FakeNode.error(Status.Code.UNAVAILABLE, "NOT_LEADER", "c:1")));

    assertThat(result.join()).isEqualTo("ok");
    assertThat(sentTo).containsExactly("a:1", "c:1");
    assertThat(router.preferred()).isEqualTo("c:1");
  }

  @Test
  void laterRedirectsInTheSameCallBackOff() {
    ScheduledExecutorService closed = Executors.newSingleThreadScheduledExecutor();
    closed.shutdown();
    CompletableFuture<String> result =
        caller(closed, Duration.ofSeconds(1))
            .call(
                CallKind.WRITE,
                "Put",
                scripted(
                    FakeNode.error(Status.Code.UNAVAILABLE, "NOT_LEADER", "c:1"),
                    FakeNode.error(Status.Code.UNAVAILABLE, "NOT_LEADER", "b:1")));

    assertThatThrownBy(result::join).hasCauseInstanceOf(IllegalStateException.class);
    assertThat(sentTo).containsExactly("a:1", "c:1");
  }

  @Test
  void aLeaderNotReadyStartsTheBackoffOver() {
    List<Long> delays = new ArrayList<>();
    ScheduledExecutorService recording = new ScheduledThreadPoolExecutor(1) {
      @Override
      public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        delays.add(unit.toMillis(delay));
        return super.schedule(command, 0, TimeUnit.MILLISECONDS);
      }
    };
    // Always the longest delay allowed, so each delay is the backoff's current ceiling.
    Random longest = new Random() {
      @Override
      public long nextLong(long bound) {
        return bound - 1;
      }
    };
    RetryingCaller caller = new RetryingCaller(router, new Backoff(Duration.ofMillis(10), Duration.ofSeconds(1),
        longest), recording, Duration.ofSeconds(1), Duration.ofSeconds(30), System::nanoTime);
    RuntimeException noLeader = FakeNode.error(Status.Code.UNAVAILABLE, "NOT_LEADER", null);
    RuntimeException notReady = FakeNode.error(Status.Code.UNAVAILABLE, "LEADER_NOT_READY", null);
    try {
      String result = caller.call(CallKind.WRITE, "Put",
          scripted(noLeader, noLeader, noLeader, noLeader, notReady, notReady)).join();

      assertThat(result).isEqualTo("ok");
      assertThat(delays).containsExactly(10L, 20L, 40L, 80L, 10L, 20L);
    } finally {
      recording.shutdownNow();
    }
  }

  @Test
  void outcomeIsUnknownIfAnyAttemptTimedOut() {
    RuntimeException[] failures = new RuntimeException[200];
    failures[0] = FakeNode.error(Status.Code.DEADLINE_EXCEEDED, null, null);
    Arrays.fill(failures, 1, failures.length, FakeNode.error(Status.Code.UNAVAILABLE, "NOT_LEADER", null));

    CompletableFuture<String> write =
        caller(scheduler, Duration.ofMillis(200)).call(CallKind.WRITE, "Put", scripted(failures));

    assertThatThrownBy(write::join)
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOfSatisfying(
            UnavailableException.class,
            e -> {
              assertThat(e.outcomeUnknown()).isTrue();
              assertThat(e.errorCode()).contains("NOT_LEADER");
            });
    // Without a hint, attempts walk the endpoints round-robin.
    assertThat(sentTo).startsWith("a:1", "b:1", "c:1", "a:1");
  }

  @Test
  void readsNeverHaveAnUnknownOutcome() {
    RuntimeException[] failures = new RuntimeException[200];
    Arrays.fill(failures, FakeNode.error(Status.Code.DEADLINE_EXCEEDED, null, null));

    CompletableFuture<String> read =
        caller(scheduler, Duration.ofMillis(100)).call(CallKind.READ, "Get", scripted(failures));

    assertThatThrownBy(read::join)
        .cause()
        .isInstanceOfSatisfying(UnavailableException.class, e -> assertThat(e.outcomeUnknown()).isFalse());
  }

  @Test
  void nonGrpcFailuresEndTheCallUnchanged() {
    IllegalStateException bug = new IllegalStateException("bug");
    CompletableFuture<String> result =
        caller(scheduler, Duration.ofSeconds(1)).call(CallKind.READ, "Get", scripted(bug));

    assertThatThrownBy(result::join).hasCause(bug);
    assertThat(sentTo).hasSize(1);
  }
}
