package io.quorumkv.perf;

import io.quorumkv.client.Batch;
import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.client.Values;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code quorumkv load}: fills a running cluster with N keys of a given value size through batched writes,
 * with a bounded number of batches in flight, printing progress and the final rate. For sizing
 * experiments (snapshot size and time, restart and install times); keys are {@code PREFIX%010d}, values
 * random base64 text seeded by the key.
 */
@Command(name = "load", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Writes N keys of a given value size to a running cluster with batched writes; prints progress.")
public final class LoadMain implements Callable<Integer> {
  private static final long PROGRESS_EVERY_NANOS = 2_000_000_000L;
  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  @Option(names = "--endpoints", defaultValue = "127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003",
      description = "Client endpoints (default: ${DEFAULT-VALUE}).")
  String endpoints;

  @Option(names = "--keys", defaultValue = "1000000", description = "Keys to write (default: ${DEFAULT-VALUE}).")
  long keys;

  @Option(names = "--value-bytes", defaultValue = "100", description = "Value size (default: ${DEFAULT-VALUE}).")
  int valueBytes;

  @Option(names = "--batch", defaultValue = "1000", description = "Keys per batch (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--in-flight", defaultValue = "8",
      description = "Batches in flight at once (default: ${DEFAULT-VALUE}).")
  int inFlight;

  @Option(names = "--prefix", defaultValue = "load/", description = "Key prefix (default: ${DEFAULT-VALUE}).")
  String prefix;

  /** Incompressible-ish text (like real data, unlike a repeated letter), the same for the same key. */
  private String randomText(long key) {
    SplittableRandom random = new SplittableRandom(key);
    char[] text = new char[valueBytes];
    for (int i = 0; i < text.length; i++) {
      text[i] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
    }
    return new String(text);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new LoadMain()).execute(args));
  }

  @Override
  public Integer call() throws InterruptedException {
    Semaphore slots = new Semaphore(inFlight);
    AtomicLong written = new AtomicLong();
    AtomicLong lastIndex = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long start = System.nanoTime();
    long lastReport = start;
    try (QuorumKvClient kv = QuorumKvClient.builder().endpoints(endpoints).overallTimeout(Duration.ofSeconds(60))
        .build()) {
      for (long next = 0; next < keys && failure.get() == null; next += batchSize) {
        Batch.Builder batch = Batch.builder();
        long end = Math.min(keys, next + batchSize);
        for (long k = next; k < end; k++) {
          batch.put(String.format("%s%010d", prefix, k), Values.text(randomText(k)));
        }
        long count = end - next;
        slots.acquire();
        CompletableFuture<?> sent = kv.async().batch(batch.build()).whenComplete((r, e) -> {
          if (e != null) {
            failure.compareAndSet(null, e);
          } else {
            written.addAndGet(count);
            lastIndex.accumulateAndGet(r.index(), Math::max);
          }
          slots.release();
        });
        long now = System.nanoTime();
        if (now - lastReport >= PROGRESS_EVERY_NANOS) {
          lastReport = now;
          System.err.printf("load: %d of %d keys (%d%%), %.0f keys/s%n", written.get(), keys,
              written.get() * 100 / keys, written.get() / ((now - start) / 1e9));
        }
      }
      slots.acquire(inFlight);
    }
    if (failure.get() != null) {
      System.err.println("load failed: " + failure.get());
      return 1;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("loaded %d keys of %d bytes in %.1f s (%.0f keys/s, %.1f MB/s of values); last index %d%n",
        written.get(), valueBytes, seconds, written.get() / seconds, written.get() * valueBytes / seconds / 1e6,
        lastIndex.get());
    return 0;
  }
}
