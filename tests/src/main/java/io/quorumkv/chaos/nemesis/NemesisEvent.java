package io.quorumkv.chaos.nemesis;

/**
 * One thing the nemesis did to a member.
 *
 * @param atNanos monotonic time (same clock as the history) right before the signal was sent
 * @param action the action this step belongs to
 * @param step what was done: {@link Step#KILL}, {@link Step#PAUSE} inject a fault; the others heal
 * @param node the member
 * @param wasLeader true if the member reported itself leader just before a KILL or PAUSE
 */
public record NemesisEvent(long atNanos, NemesisAction action, Step step, String node, boolean wasLeader) {

  /** The signals and restarts the nemesis issues. */
  public enum Step { KILL, PAUSE, RESUME, RESTART }

  /** True for steps that inject a fault. */
  public boolean isFault() {
    return step == Step.KILL || step == Step.PAUSE;
  }
}
