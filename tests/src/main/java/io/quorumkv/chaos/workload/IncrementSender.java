package io.quorumkv.chaos.workload;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quorumkv.proto.v1.IncrementRequest;
import io.quorumkv.proto.v1.IncrementResponse;
import io.quorumkv.proto.v1.KVGrpc;
import java.net.ConnectException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Sends increments through the generated {@code KVGrpc} stubs, following common.proto's calling
 * conventions as a client in any language would, without the Java client: a {@code NOT_LEADER} hint
 * ({@code quorumkv-leader-endpoint}) is followed at once (later hints after a backoff); {@code
 * LEADER_NOT_READY} and {@code OVERLOADED} retry the same member; any other {@code UNAVAILABLE}, {@code
 * DEADLINE_EXCEEDED} and {@code INTERNAL} try the next member; every retry waits a full-jitter backoff
 * (25 ms * 2^n, at most 250 ms) and re-sends the same request. Other statuses end the call. The member
 * that answered last is tried first next time. One channel per member; not thread-safe (one client).
 */
final class IncrementSender implements AutoCloseable {
  private static final Metadata.Key<String> ERROR_CODE =
      Metadata.Key.of("quorumkv-error-code", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> LEADER_ENDPOINT =
      Metadata.Key.of("quorumkv-leader-endpoint", Metadata.ASCII_STRING_MARSHALLER);
  private static final long BACKOFF_BASE_MILLIS = 25;
  private static final long BACKOFF_CAP_MILLIS = 250;
  /** An attempt with less time left than this could hardly succeed and would only make the outcome unknown. */
  private static final long MIN_ATTEMPT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final List<String> endpoints;
  private final Duration attemptTimeout;
  private final Random random;
  private final Map<String, ManagedChannel> channels = new HashMap<>();
  private String preferred;

  /**
   * @param endpoints the members' client endpoints ("host:port")
   * @param attemptTimeout deadline of each attempt
   * @param random seeded source of the backoff jitter
   */
  IncrementSender(List<String> endpoints, Duration attemptTimeout, Random random) {
    this.endpoints = List.copyOf(endpoints);
    this.attemptTimeout = attemptTimeout;
    this.random = random;
    this.preferred = this.endpoints.get(0);
  }

  /** Sends {@code request} (unchanged on every attempt) until it is answered, refused, or {@code overall} has passed. */
  IncrementReply send(IncrementRequest request, Duration overall) {
    long deadline = System.nanoTime() + overall.toNanos();
    String endpoint = preferred;
    boolean mayHaveApplied = false;
    boolean redirected = false;
    int retries = 0;
    String lastError = "no attempt had time to start";
    String lastCode = null;
    while (true) {
      long remaining = deadline - System.nanoTime();
      if (remaining < MIN_ATTEMPT_NANOS) {
        return new IncrementReply.NoAnswer(lastCode, lastError, endpoint, mayHaveApplied);
      }
      try {
        IncrementResponse r = KVGrpc.newBlockingStub(channel(endpoint))
            .withDeadlineAfter(Math.min(attemptTimeout.toNanos(), remaining), TimeUnit.NANOSECONDS)
            .increment(request);
        preferred = endpoint;
        return new IncrementReply.Applied(r.getValue(), r.getHeader().getAppliedIndex(), endpoint);
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        Metadata trailers = e.getTrailers();
        lastCode = trailers == null ? null : trailers.get(ERROR_CODE);
        lastError = describe(e, lastCode, endpoint);
        mayHaveApplied |= mayHaveReachedLeader(e.getStatus(), lastCode);
        String hint = trailers == null ? null : blankToNull(trailers.get(LEADER_ENDPOINT));
        if (code == Status.Code.UNAVAILABLE && "NOT_LEADER".equals(lastCode) && hint != null) {
          endpoint = hint;
          if (!redirected) {
            redirected = true; // the first hint is almost always right: follow it at once
            continue;
          }
        } else if (code == Status.Code.UNAVAILABLE
            && ("LEADER_NOT_READY".equals(lastCode) || "OVERLOADED".equals(lastCode))) {
          // the member is (becoming) the leader: elsewhere would only redirect back
        } else if (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED
            || code == Status.Code.INTERNAL || code == Status.Code.UNKNOWN) {
          if (lastCode == null) {
            // A dead member's channel backs off its reconnects for seconds; the member may be back sooner.
            channel(endpoint).resetConnectBackoff();
          }
          endpoint = next(endpoint);
        } else {
          return new IncrementReply.Refused(code, lastCode, lastError, endpoint, mayHaveApplied);
        }
        if (!backOff(retries++, deadline)) {
          return new IncrementReply.NoAnswer(lastCode, lastError, endpoint, mayHaveApplied);
        }
      }
    }
  }

  /** Sleeps before retry {@code n}; false if that would leave no time for another attempt (or on interrupt). */
  private boolean backOff(int n, long deadline) {
    long cap = Math.min(BACKOFF_CAP_MILLIS, BACKOFF_BASE_MILLIS << Math.min(n, 10));
    long millis = random.nextLong(cap + 1);
    if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis) + MIN_ATTEMPT_NANOS > deadline) {
      return false;
    }
    try {
      Thread.sleep(millis);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private String next(String endpoint) {
    return endpoints.get((endpoints.indexOf(endpoint) + 1) % endpoints.size());
  }

  private ManagedChannel channel(String endpoint) {
    return channels.computeIfAbsent(endpoint,
        e -> Grpc.newChannelBuilder(e, InsecureChannelCredentials.create()).build());
  }

  /**
   * Whether a failed attempt may still have been ordered: a QuorumKV error code means the member refused it
   * first; without one the transport failed, and only a refused connection proves nothing was sent.
   */
  private static boolean mayHaveReachedLeader(Status status, String errorCode) {
    return switch (status.getCode()) {
      case DEADLINE_EXCEEDED, INTERNAL, UNKNOWN -> true;
      case UNAVAILABLE -> errorCode == null && !refusedConnection(status.getCause());
      default -> false;
    };
  }

  private static boolean refusedConnection(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof ConnectException) {
        return true;
      }
    }
    return false;
  }

  /** E.g. {@code UNAVAILABLE NOT_LEADER from 127.0.0.1:7002: not the leader}. */
  private static String describe(StatusRuntimeException e, String errorCode, String endpoint) {
    StringBuilder s = new StringBuilder().append(e.getStatus().getCode());
    if (errorCode != null) {
      s.append(' ').append(errorCode);
    }
    s.append(" from ").append(endpoint);
    if (e.getStatus().getDescription() != null) {
      s.append(": ").append(e.getStatus().getDescription());
    }
    return s.toString();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
