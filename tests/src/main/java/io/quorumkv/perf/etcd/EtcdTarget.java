package io.quorumkv.perf.etcd;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.quorumkv.bench.BenchTarget;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * etcd as a {@code quorumkv bench} target: one plain gRPC connection to one etcd member, through the stubs
 * of {@code etcd_kv.proto}. Puts and ranges as etcd's own benchmark sends them; a batch is one transaction of
 * puts; linearizable gets are etcd's default ranges, stale gets its serializable ones. etcd members forward
 * writes to their leader themselves. Increment has no etcd counterpart and fails.
 */
final class EtcdTarget implements BenchTarget {
  private static final long DEADLINE_SECONDS = 15;

  private final ManagedChannel channel;
  private final KVGrpc.KVFutureStub kv;

  EtcdTarget(String endpoint) {
    // The same channel settings as QuorumKV's client (ChannelPool), so that neither load generator pays
    // for a hand-off per response or for gRPC's retry layer that the other does not.
    this.channel = NettyChannelBuilder.forTarget(endpoint).usePlaintext().directExecutor().disableRetry().build();
    this.kv = KVGrpc.newFutureStub(channel);
  }

  @Override
  public CompletableFuture<?> put(byte[] key, byte[] value) {
    return completable(stub().put(putRequest(key, value)));
  }

  @Override
  public CompletableFuture<?> get(byte[] key, boolean linearizable) {
    return completable(stub().range(RangeRequest.newBuilder().setKey(UnsafeByteOperations.unsafeWrap(key))
        .setSerializable(!linearizable).build()));
  }

  @Override
  public CompletableFuture<?> batchPut(List<byte[]> keys, List<byte[]> values) {
    TxnRequest.Builder txn = TxnRequest.newBuilder();
    for (int i = 0; i < keys.size(); i++) {
      txn.addSuccess(RequestOp.newBuilder().setRequestPut(putRequest(keys.get(i), values.get(i))));
    }
    return completable(stub().txn(txn.build()));
  }

  @Override
  public CompletableFuture<?> increment(byte[] key, long delta) {
    return CompletableFuture.failedFuture(new UnsupportedOperationException("etcd has no increment"));
  }

  @Override
  public String errorKind(Throwable error) {
    Throwable cause = BenchTarget.unwrap(error);
    return cause instanceof io.grpc.StatusRuntimeException ? Status.fromThrowable(cause).getCode().name()
        : BenchTarget.super.errorKind(error);
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }

  private KVGrpc.KVFutureStub stub() {
    return kv.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  private static PutRequest putRequest(byte[] key, byte[] value) {
    return PutRequest.newBuilder().setKey(UnsafeByteOperations.unsafeWrap(key))
        .setValue(UnsafeByteOperations.unsafeWrap(value)).build();
  }

  private static <T> CompletableFuture<T> completable(ListenableFuture<T> call) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Futures.addCallback(call, new FutureCallback<>() {
      @Override
      public void onSuccess(T value) {
        result.complete(value);
      }

      @Override
      public void onFailure(Throwable t) {
        result.completeExceptionally(t);
      }
    }, MoreExecutors.directExecutor());
    return result;
  }
}
