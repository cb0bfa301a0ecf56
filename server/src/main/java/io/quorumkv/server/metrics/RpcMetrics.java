package io.quorumkv.server.metrics;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Counts every gRPC call the member answers by method and status code, and times it from its arrival to
 * its status (for a streaming call, the whole stream).
 */
final class RpcMetrics implements ServerInterceptor {
  private final Counter requests;
  private final Histogram duration;

  RpcMetrics(PrometheusRegistry registry) {
    requests = Counter.builder().name("quorumkv_rpc_requests_total")
        .help("gRPC calls answered, by method (service/method) and status code")
        .labelNames("method", "code").register(registry);
    duration = Histogram.builder().name("quorumkv_rpc_duration_seconds")
        .help("Time from a gRPC call's arrival to its status, by method")
        .labelNames("method")
        .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
        .register(registry);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    long start = System.nanoTime();
    return next.startCall(new SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        requests.labelValues(method, status.getCode().name()).inc();
        duration.labelValues(method).observe((System.nanoTime() - start) / 1e9);
        super.close(status, trailers);
      }
    }, headers);
  }
}
