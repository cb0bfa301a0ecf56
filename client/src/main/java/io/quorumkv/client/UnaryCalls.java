package io.quorumkv.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Sends one unary gRPC request and exposes its answer as a CompletableFuture. */
final class UnaryCalls {
  private UnaryCalls() {}

  /**
   * @return completes with the response, or exceptionally with the StatusRuntimeException of the call
   */
  static <Req, Resp> CompletableFuture<Resp> call(
      Channel channel, MethodDescriptor<Req, Resp> method, Req request, long timeoutNanos) {
    CompletableFuture<Resp> response = new CompletableFuture<>();
    CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS);
    ClientCalls.asyncUnaryCall(
        channel.newCall(method, options),
        request,
        new StreamObserver<>() {
          @Override
          public void onNext(Resp value) {
            response.complete(value);
          }

          @Override
          public void onError(Throwable t) {
            response.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            // onNext already completed the future; a unary call has exactly one response.
          }
        });
    return response;
  }
}
