package io.quorumkv.statemachine;

import java.util.concurrent.atomic.LongAdder;

/**
 * What the state machine has done since this process started, for metrics: entries applied and the time
 * spent applying them, snapshots taken and their time, leader changes seen. Cumulative and thread-safe.
 */
public final class ActivityCounters {
  private final LongAdder appliedEntries = new LongAdder();
  private final LongAdder applyNanos = new LongAdder();
  private final LongAdder snapshots = new LongAdder();
  private final LongAdder snapshotNanos = new LongAdder();
  private final LongAdder leaderChanges = new LongAdder();

  void applied(long nanos) {
    appliedEntries.increment();
    applyNanos.add(nanos);
  }

  void snapshotTaken(long nanos) {
    snapshots.increment();
    snapshotNanos.add(nanos);
  }

  void leaderChanged() {
    leaderChanges.increment();
  }

  /** Log entries applied that carried a command (configuration and metadata entries are not counted). */
  public long appliedEntries() {
    return appliedEntries.sum();
  }

  /** Time spent applying those entries to the store (the apply thread's own work). */
  public long applyNanos() {
    return applyNanos.sum();
  }

  public long snapshots() {
    return snapshots.sum();
  }

  public long snapshotNanos() {
    return snapshotNanos.sum();
  }

  /** Leader changes this member was told of, including "no leader" (an election begins). */
  public long leaderChanges() {
    return leaderChanges.sum();
  }
}
