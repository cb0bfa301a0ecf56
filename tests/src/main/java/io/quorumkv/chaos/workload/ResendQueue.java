package io.quorumkv.chaos.workload;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The increments one client may still re-send, by sequence, and when each re-send is due:
 * <ul>
 *   <li>an increment whose outcome is unknown stays until a re-send is answered OK, re-sent first after
 *       {@value #UNKNOWN_FIRST_DELAY_MILLIS} ms and then with a doubling delay (at most
 *       {@value #UNKNOWN_MAX_DELAY_MILLIS} ms) while re-sends go unanswered;</li>
 *   <li>an acknowledged increment (also one an answered re-send resolved) is re-sent
 *       {@link #ACKNOWLEDGED_RESEND_DELAYS_MILLIS}.length more times, each delay after the previous
 *       answer, so that its re-sends straddle the faults the nemesis injects every few seconds; then it is
 *       let go. At most {@value #MAX_ACKNOWLEDGED} are kept: beyond that the oldest is let go early.</li>
 * </ul>
 * What it still holds bounds the client's {@code lowest_unanswered}: the lowest sequence held (see
 * {@link #lowestUnanswered}). A sequence let go is never re-sent again. Not thread-safe: one client thread.
 */
final class ResendQueue {
  static final long UNKNOWN_FIRST_DELAY_MILLIS = 500;
  static final long UNKNOWN_MAX_DELAY_MILLIS = 4_000;
  static final long[] ACKNOWLEDGED_RESEND_DELAYS_MILLIS = {3_000, 6_000};
  static final int MAX_ACKNOWLEDGED = 64;
  /**
   * How far a new sequence may run ahead of the lowest one held: far below the cluster's
   * sessions.max-unanswered-writes (10,000), so a new write is never refused for it.
   */
  static final long MAX_SPREAD = 1_000;

  private final TreeMap<Long, RetainedIncrement> bySequence = new TreeMap<>();

  /** The first send was acknowledged: re-send it later to see the same answer. */
  void acknowledged(RetainedIncrement r, long nowNanos) {
    r.acknowledged = true;
    r.dueNanos = nowNanos + millis(ACKNOWLEDGED_RESEND_DELAYS_MILLIS[0]);
    bySequence.put(r.sequence(), r);
    letGoOfOldestAcknowledgedBeyond(MAX_ACKNOWLEDGED);
  }

  /** The first send got no answer and may have been applied: re-send it until it is answered. */
  void unknown(RetainedIncrement r, long nowNanos) {
    r.dueNanos = nowNanos + millis(UNKNOWN_FIRST_DELAY_MILLIS);
    bySequence.put(r.sequence(), r);
  }

  /** The next re-send due at {@code nowNanos}: the oldest unknown increment first, then the acknowledged one due longest. */
  Optional<RetainedIncrement> due(long nowNanos) {
    Optional<RetainedIncrement> unknown = bySequence.values().stream()
        .filter(r -> !r.acknowledged && r.dueNanos <= nowNanos).findFirst();
    return unknown.isPresent() ? unknown : bySequence.values().stream()
        .filter(r -> r.acknowledged && r.dueNanos <= nowNanos).min(Comparator.comparingLong(r -> r.dueNanos));
  }

  /** A re-send of {@code r} was answered OK. */
  void answered(RetainedIncrement r, long nowNanos) {
    r.unansweredInARow = 0;
    if (!r.acknowledged) {
      acknowledged(r, nowNanos); // the answer is its acknowledgement; its own re-sends follow
      return;
    }
    r.answeredResends++;
    if (r.answeredResends >= ACKNOWLEDGED_RESEND_DELAYS_MILLIS.length) {
      bySequence.remove(r.sequence());
    } else {
      r.dueNanos = nowNanos + millis(ACKNOWLEDGED_RESEND_DELAYS_MILLIS[r.answeredResends]);
    }
  }

  /** A re-send of {@code r} got no answer: try again after a doubling delay. */
  void unanswered(RetainedIncrement r, long nowNanos) {
    long delay = Math.min(UNKNOWN_MAX_DELAY_MILLIS, UNKNOWN_FIRST_DELAY_MILLIS << Math.min(r.unansweredInARow, 10));
    r.unansweredInARow++;
    r.dueNanos = nowNanos + millis(delay);
  }

  /** A re-send of {@code r} was refused with a status re-sending cannot change: stop re-sending it. */
  void refused(RetainedIncrement r) {
    bySequence.remove(r.sequence());
  }

  /**
   * Lets go of acknowledged increments too far behind {@code nextSequence} (see {@link #MAX_SPREAD}).
   *
   * @return false if an unknown increment that far behind is still held: the client must not start a new
   *     write before it is answered
   */
  boolean makeRoomFor(long nextSequence) {
    while (!bySequence.isEmpty() && nextSequence - bySequence.firstKey() >= MAX_SPREAD) {
      if (!bySequence.firstEntry().getValue().acknowledged) {
        return false;
      }
      bySequence.pollFirstEntry();
    }
    return true;
  }

  /**
   * The {@code lowest_unanswered} of a new write with {@code nextSequence}: the lowest sequence this client
   * may still re-send, which is the lowest one held, or {@code nextSequence} itself.
   */
  long lowestUnanswered(long nextSequence) {
    return bySequence.isEmpty() ? nextSequence : Math.min(nextSequence, bySequence.firstKey());
  }

  List<RetainedIncrement> unknown() {
    return bySequence.values().stream().filter(r -> !r.acknowledged).toList();
  }

  List<RetainedIncrement> acknowledged() {
    return bySequence.values().stream().filter(r -> r.acknowledged).toList();
  }

  int size() {
    return bySequence.size();
  }

  private void letGoOfOldestAcknowledgedBeyond(int max) {
    List<RetainedIncrement> acked = new ArrayList<>(acknowledged());
    for (int i = 0; i < acked.size() - max; i++) {
      bySequence.remove(acked.get(i).sequence());
    }
  }

  private static long millis(long ms) {
    return TimeUnit.MILLISECONDS.toNanos(ms);
  }
}
