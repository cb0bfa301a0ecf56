package io.quorumkv.chaos.report;

import io.quorumkv.chaos.history.History;
import io.quorumkv.chaos.history.Operation;
import io.quorumkv.chaos.history.Outcome;
import io.quorumkv.chaos.nemesis.FaultSpan;
import io.quorumkv.chaos.nemesis.NemesisAction;
import io.quorumkv.chaos.nemesis.NemesisEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Measures, for each fault, the window from the last acknowledgement before it to the first one after
 * it. When the victim was the leader, acknowledgements that it still sent after the fault (responses
 * already on the wire) do not end the window: the first one must come from another member (a new leader),
 * or from the victim once it has been resumed or restarted (a paused leader may still be leader when it
 * wakes up). A cluster restart gets one window (on its first kill, the leader's) that ends with the first
 * acknowledgement after every member was restarted: between the kills and the restarts no member runs,
 * so anything acknowledged then was already on the wire.
 */
public final class UnavailabilityWindows {
  private UnavailabilityWindows() {}

  /**
   * @param history the run's history
   * @param events the nemesis's events (only faults are measured)
   * @param endpointOfNode client endpoint of each member id, as the client reports members
   */
  public static List<Window> measure(History history, List<NemesisEvent> events,
      Map<String, String> endpointOfNode) {
    List<Operation> acks = history.withOutcome(Outcome.OK).stream()
        .sorted(Comparator.comparingLong(Operation::completeNanos)).toList();
    List<Window> windows = new ArrayList<>();
    Map<NemesisEvent, FaultSpan> clusterRestarts = new HashMap<>();
    FaultSpan.of(events).stream().filter(s -> s.action() == NemesisAction.CLUSTER_RESTART)
        .forEach(s -> clusterRestarts.put(s.first(), s));
    for (NemesisEvent e : events) {
      if (!e.isFault() || (e.action() == NemesisAction.CLUSTER_RESTART && !clusterRestarts.containsKey(e))) {
        continue;
      }
      if (clusterRestarts.containsKey(e)) {
        windows.add(clusterRestartWindow(acks, clusterRestarts.get(e), history.originNanos()));
        continue;
      }
      long before = history.originNanos();
      long after = -1;
      String victim = endpointOfNode.get(e.node());
      long healed = healedAt(e, events);
      for (Operation op : acks) {
        if (op.completeNanos() <= e.atNanos()) {
          before = op.completeNanos();
        } else if (!e.wasLeader() || !Objects.equals(op.member(), victim) || op.completeNanos() > healed) {
          after = op.completeNanos();
          break;
        }
      }
      windows.add(new Window(e, before, after));
    }
    return windows;
  }

  private static Window clusterRestartWindow(List<Operation> acks, FaultSpan span, long originNanos) {
    long before = originNanos;
    long after = -1;
    for (Operation op : acks) {
      if (op.completeNanos() <= span.faultNanos()) {
        before = op.completeNanos();
      } else if (op.completeNanos() > span.healedNanos()) {
        after = op.completeNanos();
        break;
      }
    }
    return new Window(span.first(), before, after);
  }

  /** When the fault's victim was resumed or restarted; never (MAX_VALUE) if it was not. */
  private static long healedAt(NemesisEvent fault, List<NemesisEvent> events) {
    return events.stream()
        .filter(h -> !h.isFault() && h.node().equals(fault.node()) && h.atNanos() >= fault.atNanos())
        .mapToLong(NemesisEvent::atNanos).min().orElse(Long.MAX_VALUE);
  }
}
