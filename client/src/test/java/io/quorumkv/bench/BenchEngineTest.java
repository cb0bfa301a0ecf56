package io.quorumkv.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BenchEngineTest {
  private static final long MS = 1_000_000L;

  private static BenchConfig config(Workload workload, int clients, long warmupNanos, long durationNanos) {
    return new BenchConfig(workload, clients, 1000, 16, 10, 5, 0.5, warmupNanos, durationNanos, 1);
  }

  /** An in-memory target; every operation calls {@link #operation} first, which may fail it. */
  private static class MemoryTarget implements BenchTarget {
    final Map<String, byte[]> store = new ConcurrentHashMap<>();
    final AtomicLong calls = new AtomicLong();

    /** Runs before each operation; returns a failure to complete it with, or null. */
    Throwable operation(long call) {
      return null;
    }

    <T> CompletableFuture<T> answer(T value) {
      Throwable failure = operation(calls.getAndIncrement());
      return failure == null ? CompletableFuture.completedFuture(value) : CompletableFuture.failedFuture(failure);
    }

    @Override
    public CompletableFuture<?> put(byte[] key, byte[] value) {
      store.put(new String(key, StandardCharsets.US_ASCII), value);
      return answer(true);
    }

    @Override
    public CompletableFuture<?> get(byte[] key, boolean linearizable) {
      return answer(store.get(new String(key, StandardCharsets.US_ASCII)));
    }

    @Override
    public CompletableFuture<?> batchPut(List<byte[]> keys, List<byte[]> values) {
      for (int i = 0; i < keys.size(); i++) {
        store.put(new String(keys.get(i), StandardCharsets.US_ASCII), values.get(i));
      }
      return answer(keys.size());
    }

    @Override
    public CompletableFuture<?> increment(byte[] key, long delta) {
      return answer(delta);
    }

    @Override
    public void close() {}
  }

  @Test
  void bookkeepingIsExactWithAFakeClock() throws InterruptedException {
    AtomicLong clock = new AtomicLong();
    // Every operation takes exactly 1 ms of the fake clock, so operation i runs from i ms to i+1 ms.
    // Every 10th (i % 10 == 3) fails with a failed future, every 10th (i % 10 == 7) throws.
    MemoryTarget target = new MemoryTarget() {
      @Override
      Throwable operation(long call) {
        clock.addAndGet(MS);
        if (call % 10 == 7) {
          throw new UnsupportedOperationException("thrown");
        }
        return call % 10 == 3 ? new IllegalStateException("failed") : null;
      }
    };
    // Warm-up 0..100 ms, measured 100..300.5 ms: operations 0-99 are warm-up, 100-299 measured, 300 runs
    // past the end (not counted), and none starts after.
    BenchResult r = new BenchEngine(config(Workload.PUT, 1, 100 * MS, 200 * MS + MS / 2), List.of(target))
        .clock(clock::get)
        .run();

    assertThat(target.calls.get()).isEqualTo(301);
    assertThat(r.warmupOps()).isEqualTo(80);
    assertThat(r.warmupErrors()).isEqualTo(20);
    assertThat(r.ops()).isEqualTo(160);
    assertThat(r.errors()).isEqualTo(Map.of("IllegalStateException", 20L, "UnsupportedOperationException", 20L));
    assertThat(r.errorCount()).isEqualTo(40);
    assertThat(r.tailOps()).isEqualTo(1);
    assertThat(r.abandoned()).isZero();
    assertThat(r.latency().count()).isEqualTo(160);
    assertThat(r.latency().max()).isEqualTo(MS);
    assertThat(r.latencyMs(50)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.01));
    assertThat(r.opsPerSecond()).isCloseTo(160 / 0.2005, org.assertj.core.data.Offset.offset(0.01));
    assertThat(r.benchCpuSeconds()).isNull();
  }

  @Test
  void batchCountsKeysAndWritesBatchSizeKeysPerOperation() throws InterruptedException {
    AtomicLong clock = new AtomicLong();
    MemoryTarget target = new MemoryTarget() {
      @Override
      Throwable operation(long call) {
        clock.addAndGet(MS);
        return null;
      }
    };
    BenchResult r = new BenchEngine(config(Workload.BATCH, 1, 0, 50 * MS), List.of(target)).clock(clock::get).run();
    assertThat(r.ops()).isEqualTo(50);
    assertThat(r.keys()).isEqualTo(250);
    assertThat(r.keysPerSecond()).isCloseTo(5000, org.assertj.core.data.Offset.offset(0.01));
    assertThat(r.toJson()).contains("\"workload\":\"batch\"").contains("\"ops\":50,").contains("\"keys_written\":250,");
  }

  @Test
  void logicalClientsRunAsynchronouslyOneOperationInFlightEachSharingTargetsRoundRobin()
      throws InterruptedException {
    ScheduledExecutorService later = Executors.newScheduledThreadPool(2);
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    class SlowTarget extends MemoryTarget {
      @Override
      <T> CompletableFuture<T> answer(T value) {
        long call = calls.getAndIncrement();
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        CompletableFuture<T> f = new CompletableFuture<>();
        later.schedule(() -> {
          inFlight.decrementAndGet();
          if (call % 7 == 0) {
            f.completeExceptionally(new IllegalStateException("boom"));
          } else {
            f.complete(value);
          }
        }, 1, TimeUnit.MILLISECONDS);
        return f;
      }
    }
    SlowTarget a = new SlowTarget();
    SlowTarget b = new SlowTarget();
    try {
      BenchResult r = new BenchEngine(config(Workload.MIXED, 8, 200 * MS, 500 * MS), List.of(a, b)).run();
      long calls = a.calls.get() + b.calls.get();
      assertThat(calls).isEqualTo(r.ops() + r.errorCount() + r.warmupOps() + r.warmupErrors() + r.tailOps());
      assertThat(r.abandoned()).isZero();
      assertThat(r.connections()).isEqualTo(2);
      assertThat(maxInFlight.get()).isEqualTo(8);
      // Round-robin: four logical clients on each target, so about the same number of calls.
      assertThat(a.calls.get()).isPositive();
      assertThat((double) a.calls.get() / b.calls.get()).isBetween(0.7, 1.4);
      assertThat(r.warmupOps()).isPositive();
      assertThat(r.ops()).isPositive();
      assertThat(r.latency().count()).isEqualTo(r.ops());
      assertThat(r.latency().percentile(50)).isGreaterThanOrEqualTo(MS);
      assertThat(r.errors()).containsOnlyKeys("IllegalStateException");
    } finally {
      later.shutdownNow();
    }
  }

  @Test
  void fillWritesEveryKeyOnce() throws InterruptedException {
    MemoryTarget target = new MemoryTarget();
    BenchConfig config = new BenchConfig(Workload.GET, 4, 2500, 8, 10, 5, 0.5, 0, MS, 3);
    BenchEngine.FillResult fill = new BenchEngine(config, List.of(target, new MemoryTarget() {
      @Override
      public CompletableFuture<?> batchPut(List<byte[]> keys, List<byte[]> values) {
        return target.batchPut(keys, values);
      }
    })).fill();
    assertThat(fill.keys()).isEqualTo(2500);
    assertThat(fill.errors()).isZero();
    Set<String> keys = target.store.keySet();
    assertThat(keys).hasSize(2500).contains("k0000000", "k0002499");
  }
}
