package io.quorumkv.chaos.report;

import io.quorumkv.chaos.nemesis.NemesisEvent;

/**
 * How long clients saw no acknowledgement around one fault.
 *
 * @param fault the kill or pause
 * @param lastAckBeforeNanos completion time of the last OK operation at or before the fault; the run's
 *     origin if there was none
 * @param firstAckAfterNanos completion time of the first OK operation after it (answered by another member
 *     when the victim was the leader); -1 if none came
 */
public record Window(NemesisEvent fault, long lastAckBeforeNanos, long firstAckAfterNanos) {

  public boolean recovered() {
    return firstAckAfterNanos >= 0;
  }

  /** Length in milliseconds; -1 if clients never got an acknowledgement again. */
  public long millis() {
    return recovered() ? (firstAckAfterNanos - lastAckBeforeNanos) / 1_000_000 : -1;
  }
}
