package io.quorumkv.chaos.nemesis;

import java.util.ArrayList;
import java.util.List;

/**
 * One action of the nemesis as a span of time: from its first fault step (kill or pause) to its last heal
 * step (restart or resume). Several members hit by one action (combined, cluster-restart) make one span.
 *
 * @param action the action
 * @param first its first fault step (for a cluster restart, the leader's kill)
 * @param healedNanos time of its last heal step; {@link Long#MAX_VALUE} if it was never healed
 */
public record FaultSpan(NemesisAction action, NemesisEvent first, long healedNanos) {

  public long faultNanos() {
    return first.atNanos();
  }

  /**
   * Groups the nemesis's events into actions. The nemesis runs one action at a time and each action first
   * injects its faults, then heals them, so an action is a run of fault steps followed by a run of heal
   * steps.
   */
  public static List<FaultSpan> of(List<NemesisEvent> events) {
    List<FaultSpan> spans = new ArrayList<>();
    NemesisEvent first = null;
    long healed = Long.MAX_VALUE;
    NemesisEvent previous = null;
    for (NemesisEvent e : events) {
      if (e.isFault() && (previous == null || !previous.isFault() || previous.action() != e.action())) {
        if (first != null) {
          spans.add(new FaultSpan(first.action(), first, healed));
        }
        first = e;
        healed = Long.MAX_VALUE;
      } else if (!e.isFault() && first != null) {
        healed = e.atNanos();
      }
      previous = e;
    }
    if (first != null) {
      spans.add(new FaultSpan(first.action(), first, healed));
    }
    return spans;
  }
}
