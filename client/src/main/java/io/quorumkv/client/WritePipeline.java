package io.quorumkv.client;

import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quorumkv.proto.v1.KVGrpc;
import io.quorumkv.proto.v1.WritesRequest;
import io.quorumkv.proto.v1.WritesResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sends the write attempts that are outstanding at the same time to one endpoint in shared {@code
 * KV.Writes} calls, so that many concurrent writes pay for few calls (a unary call's HTTP/2 and gRPC
 * work, on both sides, was the largest per-write cost left once the members coalesce writes into log
 * entries). At most {@link #MAX_CALLS_IN_FLIGHT} call per endpoint is in flight; writes that arrive
 * meanwhile wait and leave together in the next one. A write that finds no call in flight leaves at once,
 * as a call of its own kind ({@code Put}, {@code Delete}, {@code Increment}), so a lone writer sees no
 * added delay or cost.
 *
 * <p>Each write keeps its own WriteId and outcome. A failed call fails each of its writes with the call's
 * failure; a write's own error becomes the {@link StatusRuntimeException} it would have failed with if
 * sent alone (status, message, error code and leader trailers), so {@link RetryingCaller} retries and
 * classifies exactly as for single calls. Thread-safe.
 */
final class WritePipeline {
  /**
   * Calls in flight per endpoint. One: the writes of a call then leave together with all that arrived
   * while the previous one was answered (bench, 4 connections: put @ 256 15.2-15.4k ops/s against
   * 14.0-14.3k with 2 or 4 calls, put @ 64 equal within the spread).
   */
  static final int MAX_CALLS_IN_FLIGHT = 1;
  /** Writes per call; well under the members' batch operation limit (1000 by default). */
  static final int MAX_WRITES_PER_CALL = 256;
  /** Encoded bytes per call beyond its first write; well under the members' message limit (8 MiB). */
  static final int MAX_BYTES_PER_CALL = 1 << 20;

  private static final Metadata.Key<String> LEADER_ID =
      Metadata.Key.of("quorumkv-leader-id", Metadata.ASCII_STRING_MARSHALLER);

  private final ChannelPool channels;
  private final Map<String, Lane> lanes = new ConcurrentHashMap<>();

  WritePipeline(ChannelPool channels) {
    this.channels = channels;
  }

  /**
   * Sends {@code write} to {@code endpoint} in the next call there. Completes with its result (never an
   * error result), or exceptionally with the StatusRuntimeException of the call or of the write.
   */
  CompletableFuture<WritesResponse.Result> send(String endpoint, WritesRequest.Write write, long timeoutNanos) {
    return lanes.computeIfAbsent(endpoint, Lane::new).send(write, timeoutNanos);
  }

  /** The failure a write's error result stands for. */
  static StatusRuntimeException failureOf(WritesResponse.WriteError error) {
    Metadata trailers = new Metadata();
    putIfSet(trailers, Failure.ERROR_CODE, error.getErrorCode());
    putIfSet(trailers, LEADER_ID, error.getLeaderId());
    putIfSet(trailers, Failure.LEADER_ENDPOINT, error.getLeaderEndpoint());
    return Status.fromCodeValue(error.getStatusCode()).withDescription(error.getMessage())
        .asRuntimeException(trailers);
  }

  private static void putIfSet(Metadata trailers, Metadata.Key<String> key, String value) {
    if (!value.isEmpty()) {
      trailers.put(key, value);
    }
  }

  private record Pending(
      WritesRequest.Write write, long deadlineNanos, CompletableFuture<WritesResponse.Result> result) {}

  /** The calls to one endpoint and the writes waiting for the next. */
  private final class Lane {
    private final String endpoint;
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private int callsInFlight;

    Lane(String endpoint) {
      this.endpoint = endpoint;
    }

    CompletableFuture<WritesResponse.Result> send(WritesRequest.Write write, long timeoutNanos) {
      Pending pending = new Pending(write, System.nanoTime() + timeoutNanos, new CompletableFuture<>());
      List<Pending> call;
      synchronized (this) {
        waiting.add(pending);
        call = nextCall();
      }
      if (call != null) {
        start(call);
      }
      return pending.result();
    }

    /** The writes of a call that may start now, counted as in flight; null if none may. Under the lock. */
    private List<Pending> nextCall() {
      if (waiting.isEmpty() || callsInFlight >= MAX_CALLS_IN_FLIGHT) {
        return null;
      }
      List<Pending> call = new ArrayList<>(Math.min(waiting.size(), MAX_WRITES_PER_CALL));
      long bytes = 0;
      while (!waiting.isEmpty() && call.size() < MAX_WRITES_PER_CALL) {
        int size = waiting.peek().write().getSerializedSize();
        if (!call.isEmpty() && bytes + size > MAX_BYTES_PER_CALL) {
          break;
        }
        bytes += size;
        call.add(waiting.poll());
      }
      callsInFlight++;
      return call;
    }

    private void start(List<Pending> call) {
      WritesRequest.Builder request = WritesRequest.newBuilder();
      // The call must not outlive the attempt that allows the least time.
      long earliest = call.get(0).deadlineNanos();
      for (Pending pending : call) {
        request.addWrites(pending.write());
        if (pending.deadlineNanos() - earliest < 0) {
          earliest = pending.deadlineNanos();
        }
      }
      long timeoutNanos = Math.max(1, earliest - System.nanoTime());
      CompletableFuture<WritesResponse> response;
      try {
        response = call.size() == 1 ? alone(call.get(0).write(), timeoutNanos)
            : UnaryCalls.call(channels.channel(endpoint), KVGrpc.getWritesMethod(), request.build(), timeoutNanos);
      } catch (RuntimeException e) {
        response = CompletableFuture.failedFuture(e);
      }
      response.whenComplete((answer, error) -> finished(call, answer, error));
    }

    /** A write with no company goes as its own kind of call, which costs both sides a little less. */
    private CompletableFuture<WritesResponse> alone(WritesRequest.Write write, long timeoutNanos) {
      Channel channel = channels.channel(endpoint);
      WritesResponse.Result.Builder result = WritesResponse.Result.newBuilder();
      CompletableFuture<WritesResponse.Result> answer = switch (write.getOpCase()) {
        case PUT -> UnaryCalls.call(channel, KVGrpc.getPutMethod(), write.getPut(), timeoutNanos)
            .thenApply(r -> result.setPut(r).build());
        case DELETE -> UnaryCalls.call(channel, KVGrpc.getDeleteMethod(), write.getDelete(), timeoutNanos)
            .thenApply(r -> result.setDelete(r).build());
        case INCREMENT -> UnaryCalls.call(channel, KVGrpc.getIncrementMethod(), write.getIncrement(), timeoutNanos)
            .thenApply(r -> result.setIncrement(r).build());
        case OP_NOT_SET -> throw new IllegalArgumentException("a write without an operation");
      };
      return answer.thenApply(r -> WritesResponse.newBuilder().addResults(r).build());
    }

    /**
     * Completes the call's writes, then starts the next call. The finished call counts as in flight until
     * its writes are completed, so that writes their callbacks send leave together in the next call.
     */
    private void finished(List<Pending> call, WritesResponse answer, Throwable error) {
      if (error == null && answer.getResultsCount() != call.size()) {
        error = Status.INTERNAL.withDescription("the member answered " + answer.getResultsCount()
            + " results for " + call.size() + " writes").asRuntimeException();
      }
      for (int i = 0; i < call.size(); i++) {
        CompletableFuture<WritesResponse.Result> result = call.get(i).result();
        if (error != null) {
          result.completeExceptionally(error);
        } else if (answer.getResults(i).hasError()) {
          result.completeExceptionally(failureOf(answer.getResults(i).getError()));
        } else {
          result.complete(answer.getResults(i));
        }
      }
      List<Pending> next;
      synchronized (this) {
        callsInFlight--;
        next = nextCall();
      }
      if (next != null) {
        start(next);
      }
    }
  }
}
