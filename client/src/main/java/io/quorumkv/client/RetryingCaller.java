package io.quorumkv.client;

import io.grpc.Status;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one logical call as a series of attempts against cluster members until one succeeds, a failure
 * is final ({@link RetryPolicy}), or the overall timeout leaves no room for another attempt. Knows
 * nothing about gRPC channels: an {@link Attempt} sends the request. Thread-safe; each call's attempts
 * run one after another.
 */
final class RetryingCaller {
  private static final Logger LOG = LoggerFactory.getLogger(RetryingCaller.class);

  /**
   * A retry is not started with less time than this left: it could hardly succeed, and timing out would
   * needlessly make a write's outcome unknown.
   */
  private static final long MIN_RETRY_BUDGET_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  /** Sends one attempt of a call. */
  @FunctionalInterface
  interface Attempt<T> {
    /**
     * @param endpoint member to send to
     * @param timeoutNanos deadline of this attempt
     * @return completes with the response, or exceptionally with the gRPC failure
     */
    CompletableFuture<T> send(String endpoint, long timeoutNanos);
  }

  private final EndpointRouter router;
  private final Backoff backoff;
  private final ScheduledExecutorService scheduler;
  private final long attemptTimeoutNanos;
  private final long overallTimeoutNanos;
  private final long minRetryBudgetNanos;
  private final LongSupplier nanoClock;

  RetryingCaller(
      EndpointRouter router,
      Backoff backoff,
      ScheduledExecutorService scheduler,
      Duration attemptTimeout,
      Duration overallTimeout,
      LongSupplier nanoClock) {
    this.router = router;
    this.backoff = backoff;
    this.scheduler = scheduler;
    this.attemptTimeoutNanos = attemptTimeout.toNanos();
    this.overallTimeoutNanos = overallTimeout.toNanos();
    this.minRetryBudgetNanos = Math.min(MIN_RETRY_BUDGET_NANOS, attemptTimeoutNanos);
    this.nanoClock = nanoClock;
  }

  /**
   * Starts a call at the preferred (leader) endpoint. The returned future completes with the first
   * successful response, or exceptionally with a {@link QuorumKvException}; cancelling it stops further
   * attempts.
   *
   * @param operation name for messages, e.g. "Put"
   */
  <T> CompletableFuture<T> call(CallKind kind, String operation, Attempt<T> attempt) {
    return call(kind, operation, attempt, attemptTimeoutNanos, overallTimeoutNanos);
  }

  /**
   * As {@link #call(CallKind, String, Attempt)}, for a slow operation: each attempt and the whole call may
   * take up to {@code timeout}.
   */
  <T> CompletableFuture<T> call(CallKind kind, String operation, Attempt<T> attempt, Duration timeout) {
    return call(kind, operation, attempt, timeout.toNanos(), timeout.toNanos());
  }

  private <T> CompletableFuture<T> call(CallKind kind, String operation, Attempt<T> attempt, long attemptNanos,
      long overallNanos) {
    Call<T> call = new Call<>(kind, operation, attempt, attemptNanos, overallNanos);
    call.send(router.preferred());
    return call.result;
  }

  /** The state of one logical call across its attempts. */
  private final class Call<T> {
    private final CompletableFuture<T> result = new CompletableFuture<>();
    private final CallKind kind;
    private final String operation;
    private final Attempt<T> attempt;
    private final long startNanos = nanoClock.getAsLong();
    private final long attemptNanos;
    private final long overallNanos;
    private final long deadlineNanos;
    private int attempts;
    private int backoffs;
    private boolean redirectedWithoutSleep;
    /** Once per call, so a leader that stays not ready (e.g. handing leadership over) is not hammered. */
    private boolean backoffRestarted;
    private boolean retriedInternal;
    private boolean mayHaveBeenApplied;
    private Failure lastFailure;

    Call(CallKind kind, String operation, Attempt<T> attempt, long attemptNanos, long overallNanos) {
      this.kind = kind;
      this.operation = operation;
      this.attempt = attempt;
      this.attemptNanos = attemptNanos;
      this.overallNanos = overallNanos;
      this.deadlineNanos = startNanos + overallNanos;
    }

    void send(String endpoint) {
      if (result.isDone()) {
        return; // cancelled by the caller
      }
      long remaining = deadlineNanos - nanoClock.getAsLong();
      if (remaining <= 0 || (attempts > 0 && remaining < minRetryBudgetNanos)) {
        giveUp();
        return;
      }
      attempts++;
      CompletableFuture<T> response;
      try {
        response = attempt.send(endpoint, Math.min(attemptNanos, remaining));
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
        return;
      }
      response.whenComplete(
          (value, error) -> {
            if (error == null) {
              result.complete(value);
            } else {
              onFailure(endpoint, error instanceof CompletionException ? error.getCause() : error);
            }
          });
    }

    private void onFailure(String endpoint, Throwable error) {
      Optional<Failure> classified = Failure.classify(error, endpoint);
      if (classified.isEmpty()) {
        result.completeExceptionally(error);
        return;
      }
      Failure failure = classified.get();
      lastFailure = failure;
      mayHaveBeenApplied |= kind == CallKind.WRITE && failure.mayHaveReachedLeader();
      RetryPolicy.Decision decision = RetryPolicy.decide(failure, kind);
      if (!backoffRestarted && RetryPolicy.restartsBackoff(failure)) {
        backoffRestarted = true;
        backoffs = 0;
      }
      LOG.debug("{} attempt {} failed ({}): {}", operation, attempts, decision, failure.describe());
      switch (decision) {
        case REDIRECT:
          redirect(endpoint, router.redirect(failure.leaderEndpoint()));
          break;
        case RETRY_SAME:
          sendAfterBackoff(endpoint);
          break;
        case RETRY_NEXT:
          sendAfterBackoff(router.next(endpoint));
          break;
        case RETRY_NEXT_ONCE:
          if (retriedInternal) {
            result.completeExceptionally(failure.toException());
          } else {
            retriedInternal = true;
            sendAfterBackoff(router.next(endpoint));
          }
          break;
        default:
          result.completeExceptionally(failure.toException(mayHaveBeenApplied));
      }
    }

    private void redirect(String from, String leader) {
      // Follow the first hint at once: it is almost always right. Later hints in the same call mean the
      // leadership is moving, so they wait like any other retry instead of ping-ponging.
      if (!redirectedWithoutSleep && !leader.equals(from)) {
        redirectedWithoutSleep = true;
        send(leader);
      } else {
        sendAfterBackoff(leader);
      }
    }

    private void sendAfterBackoff(String endpoint) {
      long delayMillis = backoff.delayMillis(backoffs++);
      long delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
      if (nanoClock.getAsLong() + delayNanos + minRetryBudgetNanos > deadlineNanos) {
        giveUp();
        return;
      }
      try {
        scheduler.schedule(() -> send(endpoint), delayMillis, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        result.completeExceptionally(new IllegalStateException("the client is closed", e));
      }
    }

    private void giveUp() {
      long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(nanoClock.getAsLong() - startNanos);
      String message =
          operation
              + " gave up after "
              + attempts
              + " attempt(s) in "
              + elapsedMillis
              + " ms (overall timeout "
              + TimeUnit.NANOSECONDS.toMillis(overallNanos)
              + " ms)"
              + (lastFailure == null ? "" : "; last failure: " + lastFailure.describe());
      result.completeExceptionally(
          lastFailure == null
              ? new UnavailableException(
                  message, Status.Code.DEADLINE_EXCEEDED, null, null, false, attempts, null)
              : new UnavailableException(
                  message,
                  lastFailure.code(),
                  lastFailure.errorCode(),
                  lastFailure.member(),
                  mayHaveBeenApplied,
                  attempts,
                  lastFailure.cause()));
    }
  }
}
