package io.quorumkv.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The closed loop: {@code clients} logical clients, each with one operation in flight, issuing its next
 * operation from the completion of the previous one (no thread waits for an answer). Logical client i
 * uses target i mod targets (the connections). An operation is <em>measured</em> if it started after the
 * warm-up and completed by the end of the measured interval; operations started during the warm-up are
 * counted apart, those still running at the end are not counted. Failures are counted by {@link
 * BenchTarget#errorKind} and never stop a client.
 *
 * <p>The time source is injectable (tests); the progress line, the CPU meter and the final wait use the
 * real clock.
 */
public final class BenchEngine {
  private static final long SECOND = 1_000_000_000L;

  private final BenchConfig config;
  private final List<BenchTarget> targets;
  private final KeyValues kv;
  private LongSupplier clock = System::nanoTime;
  private Consumer<String> progress;
  private CpuMeter cpu;
  private long graceNanos = 30 * SECOND;

  /** The caller keeps ownership of the targets (closes them). */
  public BenchEngine(BenchConfig config, List<BenchTarget> targets) {
    this.config = config.validate();
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("no targets");
    }
    this.targets = List.copyOf(targets);
    this.kv = new KeyValues(config);
  }

  /** The time source of the loop (default System::nanoTime). */
  public BenchEngine clock(LongSupplier clock) {
    this.clock = clock;
    return this;
  }

  /** Where to print a progress line every second (e.g. stderr); null for none. */
  public BenchEngine progress(Consumer<String> progress) {
    this.progress = progress;
    return this;
  }

  /** Started at the end of the warm-up, stopped at the end of the measured interval; null for none. */
  public BenchEngine cpu(CpuMeter cpu) {
    this.cpu = cpu;
    return this;
  }

  /** How long after the end to wait for operations in flight before giving up on them (default 30 s). */
  public BenchEngine grace(long nanos) {
    this.graceNanos = nanos;
    return this;
  }

  /** Runs one operation after another until {@link #next} returns null; never blocks on an answer. */
  private abstract class Loop implements Runnable {
    /** The next operation, or null to stop. */
    abstract CompletableFuture<?> next(long startNanos);

    abstract void completed(long startNanos, Throwable error);

    abstract void finished();

    @Override
    public final void run() {
      while (true) {
        long start = clock.getAsLong();
        CompletableFuture<?> f;
        try {
          f = next(start);
        } catch (RuntimeException e) {
          f = CompletableFuture.failedFuture(e);
        }
        if (f == null) {
          finished();
          return;
        }
        // Whichever of this thread and the completion comes second runs the next operation: an answer
        // that is already there loops here instead of recursing, one that comes later continues on the
        // thread that delivers it.
        AtomicInteger handoff = new AtomicInteger();
        f.whenComplete(
            (r, e) -> {
              completed(start, e);
              if (!handoff.compareAndSet(0, 1)) {
                run();
              }
            });
        if (handoff.compareAndSet(0, 2)) {
          return;
        }
      }
    }
  }

  private CompletableFuture<?> issue(BenchTarget target, SplittableRandom random) {
    switch (config.workload()) {
      case PUT:
        return target.put(kv.randomKey(random), kv.value(random));
      case GET:
        return target.get(kv.randomKey(random), true);
      case STALE_GET:
        return target.get(kv.randomKey(random), false);
      case MIXED:
        return random.nextDouble() < config.readRatio()
            ? target.get(kv.randomKey(random), true)
            : target.put(kv.randomKey(random), kv.value(random));
      case BATCH: {
        // Consecutive keys from a random start: distinct within the batch (etcd refuses a key twice in one
        // transaction), like a bulk load.
        List<byte[]> keys = new ArrayList<>(config.batchSize());
        List<byte[]> values = new ArrayList<>(config.batchSize());
        long start = random.nextLong(config.keys());
        for (int i = 0; i < config.batchSize(); i++) {
          keys.add(kv.key('k', (start + i) % config.keys()));
          values.add(kv.value(random));
        }
        return target.batchPut(keys, values);
      }
      case INCR:
        return target.increment(kv.randomCounter(random), 1);
      default:
        throw new IllegalStateException(config.workload().toString());
    }
  }

  /** Runs the warm-up and the measured interval and returns what was measured. */
  public BenchResult run() throws InterruptedException {
    long t0 = clock.getAsLong();
    long measureStart = t0 + config.warmupNanos();
    long measureEnd = measureStart + config.durationNanos();
    LatencyHistogram latency = new LatencyHistogram();
    LongAdder ops = new LongAdder();
    Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    LongAdder warmupOps = new LongAdder();
    LongAdder warmupErrors = new LongAdder();
    LongAdder tail = new LongAdder();
    LongAdder completedAll = new LongAdder();
    LongAdder errorsAll = new LongAdder();
    CountDownLatch done = new CountDownLatch(config.clients());
    AtomicBoolean cpuStarted = new AtomicBoolean();
    AtomicBoolean cpuStopped = new AtomicBoolean();
    Runnable startCpu = () -> {
      if (cpu != null && cpuStarted.compareAndSet(false, true)) {
        cpu.start();
      }
    };
    Runnable stopCpu = () -> {
      if (cpu != null && cpuStarted.get() && cpuStopped.compareAndSet(false, true)) {
        cpu.stop();
      }
    };

    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "bench-timer"));
    ExecutorService starter = Executors.newCachedThreadPool(r -> daemon(r, "bench-start"));
    try {
      long realStart = System.nanoTime();
      if (config.warmupNanos() == 0) {
        startCpu.run();
      } else {
        timer.schedule(startCpu, config.warmupNanos(), TimeUnit.NANOSECONDS);
      }
      timer.schedule(stopCpu, config.warmupNanos() + config.durationNanos(), TimeUnit.NANOSECONDS);
      if (progress != null) {
        long[] last = {0, 0};
        timer.scheduleAtFixedRate(() -> {
          long now = System.nanoTime();
          long completed = completedAll.sum();
          long failed = errorsAll.sum();
          // The phase of the second just reported (judged at its middle).
          String phase = now - realStart - SECOND / 2 < config.warmupNanos() ? "warm-up" : "measuring";
          progress.accept(String.format(Locale.ROOT, "bench: %4ds %-9s %,10d ops/s  %,d errors/s  (%,d errors)",
              (now - realStart + SECOND / 2) / SECOND, phase, (completed - failed) - (last[0] - last[1]),
              failed - last[1], failed));
          last[0] = completed;
          last[1] = failed;
        }, SECOND, SECOND, TimeUnit.NANOSECONDS);
      }

      SplittableRandom seeds = new SplittableRandom(config.seed());
      for (int i = 0; i < config.clients(); i++) {
        BenchTarget target = targets.get(i % targets.size());
        SplittableRandom random = seeds.split();
        starter.execute(new Loop() {
          @Override
          CompletableFuture<?> next(long start) {
            return start >= measureEnd ? null : issue(target, random);
          }

          @Override
          void completed(long start, Throwable error) {
            long end = clock.getAsLong();
            completedAll.increment();
            if (error != null) {
              errorsAll.increment();
            }
            if (start < measureStart) {
              (error == null ? warmupOps : warmupErrors).increment();
            } else if (end > measureEnd) {
              tail.increment();
            } else if (error == null) {
              ops.increment();
              latency.record(end - start);
            } else {
              errors.computeIfAbsent(target.errorKind(error), k -> new LongAdder()).increment();
            }
          }

          @Override
          void finished() {
            done.countDown();
          }
        });
      }
      long waitNanos = config.warmupNanos() + config.durationNanos() + graceNanos;
      done.await(Math.max(0, waitNanos - (System.nanoTime() - realStart)), TimeUnit.NANOSECONDS);
      stopCpu.run();
    } finally {
      timer.shutdownNow();
      starter.shutdown();
    }
    Map<String, Long> byKind = new TreeMap<>();
    errors.forEach((k, v) -> byKind.put(k, v.sum()));
    return new BenchResult(config, targets.size(), ops.sum(), byKind, warmupOps.sum(), warmupErrors.sum(),
        tail.sum(), done.getCount(), latency,
        cpu == null || !cpuStopped.get() ? null : cpu.benchSeconds(),
        cpu == null || !cpuStopped.get() ? Map.of() : cpu.memberSeconds());
  }

  /** What the fill wrote. */
  public record FillResult(long keys, long errors, double seconds) {}

  /**
   * Writes every key of the key space once (keys 0 .. keys-1 in order, random values) with batches, two in
   * flight per target, printing progress every second. Failed batches are counted, not retried.
   */
  public FillResult fill() throws InterruptedException {
    int perBatch = (int) Math.max(1, Math.min(BenchConfig.MAX_BATCH_SIZE,
        (BenchConfig.MAX_BATCH_BYTES / 2) / (config.keyBytes() + config.valueBytes())));
    long batches = (config.keys() + perBatch - 1) / perBatch;
    AtomicLong nextBatch = new AtomicLong();
    LongAdder written = new LongAdder();
    LongAdder errors = new LongAdder();
    int loops = (int) Math.min(batches, 2L * targets.size());
    CountDownLatch done = new CountDownLatch(loops);
    long start = System.nanoTime();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "bench-timer"));
    ExecutorService starter = Executors.newCachedThreadPool(r -> daemon(r, "bench-start"));
    try {
      if (progress != null) {
        timer.scheduleAtFixedRate(() -> progress.accept(fillLine(written.sum(), errors.sum(), start)),
            SECOND, SECOND, TimeUnit.NANOSECONDS);
      }
      SplittableRandom seeds = new SplittableRandom(config.seed() ^ 0xF111L);
      for (int i = 0; i < loops; i++) {
        BenchTarget target = targets.get(i % targets.size());
        SplittableRandom random = seeds.split();
        starter.execute(new Loop() {
          long count;

          @Override
          CompletableFuture<?> next(long startNanos) {
            long b = nextBatch.getAndIncrement();
            if (b >= batches) {
              return null;
            }
            long from = b * perBatch;
            long to = Math.min(config.keys(), from + perBatch);
            count = to - from;
            List<byte[]> keys = new ArrayList<>((int) count);
            List<byte[]> values = new ArrayList<>((int) count);
            kv.fillBatch(from, to, random, keys, values);
            return target.batchPut(keys, values);
          }

          @Override
          void completed(long startNanos, Throwable error) {
            if (error == null) {
              written.add(count);
            } else {
              errors.increment();
            }
          }

          @Override
          void finished() {
            done.countDown();
          }
        });
      }
      done.await();
    } finally {
      timer.shutdownNow();
      starter.shutdown();
    }
    if (progress != null) {
      progress.accept(fillLine(written.sum(), errors.sum(), start) + " (done)");
    }
    return new FillResult(written.sum(), errors.sum(), (System.nanoTime() - start) / 1e9);
  }

  private String fillLine(long written, long errors, long start) {
    double seconds = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
    return String.format(Locale.ROOT, "fill: %,d of %,d keys (%d%%), %,.0f keys/s, %d failed batches",
        written, config.keys(), written * 100 / config.keys(), written / seconds, errors);
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
