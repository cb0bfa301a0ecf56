package io.quorumkv.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.quorumkv.client.AsyncKvClient;
import io.quorumkv.client.Batch;
import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.client.QuorumKvException;
import io.quorumkv.client.ReadOptions;
import io.quorumkv.client.Values;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A {@link BenchTarget} on one {@link QuorumKvClient} (its own connections and session), via its async API. */
public final class QuorumKvTarget implements BenchTarget {
  private static final ReadOptions STALE = ReadOptions.stale(0);

  private final QuorumKvClient client;
  private final AsyncKvClient async;

  /** Takes ownership of {@code client}: {@link #close()} closes it. */
  public QuorumKvTarget(QuorumKvClient client) {
    this.client = client;
    this.async = client.async();
  }

  private static ByteString wrap(byte[] bytes) {
    return UnsafeByteOperations.unsafeWrap(bytes);
  }

  @Override
  public CompletableFuture<?> put(byte[] key, byte[] value) {
    return async.put(wrap(key), Values.bytes(wrap(value)));
  }

  @Override
  public CompletableFuture<?> get(byte[] key, boolean linearizable) {
    return async.get(wrap(key), linearizable ? ReadOptions.linearizable() : STALE);
  }

  @Override
  public CompletableFuture<?> batchPut(List<byte[]> keys, List<byte[]> values) {
    Batch.Builder batch = Batch.builder();
    for (int i = 0; i < keys.size(); i++) {
      batch.put(wrap(keys.get(i)), Values.bytes(wrap(values.get(i))));
    }
    return async.batch(batch.build());
  }

  @Override
  public CompletableFuture<?> increment(byte[] key, long delta) {
    return async.increment(wrap(key), delta);
  }

  /** The exception class, its gRPC status code and, if sent, the QuorumKV error code: e.g. {@code UnavailableException/UNAVAILABLE/NOT_LEADER}. */
  @Override
  public String errorKind(Throwable error) {
    Throwable e = BenchTarget.unwrap(error);
    if (e instanceof QuorumKvException q) {
      return e.getClass().getSimpleName() + "/" + q.statusCode() + q.errorCode().map(c -> "/" + c).orElse("");
    }
    return e.getClass().getSimpleName();
  }

  @Override
  public void close() {
    client.close();
  }
}
