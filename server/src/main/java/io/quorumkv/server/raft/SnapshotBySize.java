package io.quorumkv.server.raft;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a snapshot once the log applied since the latest one exceeds a size. Ratis triggers snapshots by
 * entry count only, and one entry may carry hundreds of coalesced writes: by count alone a restart
 * could replay, and hold in Ratis' segment cache, gigabytes of log.
 */
public final class SnapshotBySize implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotBySize.class);
  private static final long CHECK_EVERY_MILLIS = 1000;
  private static final long SNAPSHOT_TIMEOUT_MILLIS = 60_000;

  private final LongSupplier bytesSinceSnapshot;
  private final long maxBytes;
  private final Supplier<CompletableFuture<Long>> takeSnapshot;
  private final AtomicBoolean inFlight = new AtomicBoolean();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread t = new Thread(runnable, "snapshot-by-size");
    t.setDaemon(true);
    return t;
  });

  /**
   * @param bytesSinceSnapshot bytes of log entries applied since the latest snapshot
   * @param maxBytes snapshot once that reaches this
   * @param takeSnapshot takes a snapshot now, completing with its index
   */
  public SnapshotBySize(LongSupplier bytesSinceSnapshot, long maxBytes, Supplier<CompletableFuture<Long>> takeSnapshot) {
    this.bytesSinceSnapshot = bytesSinceSnapshot;
    this.maxBytes = maxBytes;
    this.takeSnapshot = takeSnapshot;
  }

  /** Starts checking every second. */
  public static SnapshotBySize start(RaftGateway gateway, LongSupplier bytesSinceSnapshot, long maxBytes) {
    SnapshotBySize trigger = new SnapshotBySize(bytesSinceSnapshot, maxBytes,
        () -> gateway.takeSnapshot(SNAPSHOT_TIMEOUT_MILLIS));
    trigger.timer.scheduleWithFixedDelay(trigger::check, CHECK_EVERY_MILLIS, CHECK_EVERY_MILLIS, TimeUnit.MILLISECONDS);
    return trigger;
  }

  /** Asks for a snapshot if the log since the latest one reached the size and none is being taken. */
  void check() {
    long bytes = bytesSinceSnapshot.getAsLong();
    if (bytes < maxBytes || !inFlight.compareAndSet(false, true)) {
      return;
    }
    try {
      takeSnapshot.get().whenComplete((index, failure) -> {
        inFlight.set(false);
        if (failure != null) {
          LOG.warn("snapshot after {} MB of log failed: {}", bytes / 1_000_000, failure.toString());
        } else {
          LOG.debug("snapshot at {} after {} MB of log", index, bytes / 1_000_000);
        }
      });
    } catch (RuntimeException e) {
      inFlight.set(false);
      LOG.warn("cannot ask for a snapshot: {}", e.toString());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
