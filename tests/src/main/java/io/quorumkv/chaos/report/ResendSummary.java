package io.quorumkv.chaos.report;

import io.quorumkv.chaos.history.History;
import io.quorumkv.chaos.history.OpType;
import io.quorumkv.chaos.history.Operation;
import io.quorumkv.chaos.history.Outcome;
import io.quorumkv.chaos.history.Resend;
import io.quorumkv.chaos.nemesis.FaultSpan;
import io.quorumkv.chaos.nemesis.NemesisAction;
import io.quorumkv.chaos.nemesis.NemesisEvent;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the increments of a resend run went through: how their first sends ended, how many unknown ones a
 * re-send resolved, and how many re-sends of acknowledged increments were answered after a fault that
 * happened between the acknowledgement and the re-send (so that the cluster had to remember the result
 * across it).
 *
 * @param increments increments sent with the client's own WriteIds
 * @param acknowledgedAtOnce of them, answered OK at their first send
 * @param unknownAtFirst of them, of unknown outcome after their first send
 * @param failedAtFirst of them, refused before they could be ordered (never re-sent)
 * @param resolvedDuringRun unknown ones a re-send answered OK while the workload ran
 * @param resolvedAfterRun unknown ones first answered OK in the resolution phase
 * @param unresolved unknown ones no re-send answered OK
 * @param resends every re-send
 * @param answeredResendsOfAcknowledged re-sends answered OK of increments acknowledged before they were sent
 * @param afterLeaderKill of those, ones sent after a leader was killed (leader-kill, combined) and
 *     restarted since the acknowledgement
 * @param afterClusterRestart of those, ones sent after a cluster restart since the acknowledgement
 */
public record ResendSummary(long increments, long acknowledgedAtOnce, long unknownAtFirst, long failedAtFirst,
    long resolvedDuringRun, long resolvedAfterRun, long unresolved, long resends, long answeredResendsOfAcknowledged,
    long afterLeaderKill, long afterClusterRestart) {

  private static final Set<NemesisAction> LEADER_KILLS = Set.of(NemesisAction.LEADER_KILL, NemesisAction.COMBINED);

  public static ResendSummary of(History history, List<NemesisEvent> events) {
    List<Operation> increments = history.filter(op -> op.type() == OpType.INCR && op.writeId() != null);
    Map<Long, Long> firstAckNanos = new HashMap<>();
    Map<Long, Boolean> resolvedAfterRun = new HashMap<>();
    increments.stream().filter(op -> op.outcome() == Outcome.OK)
        .forEach(op -> firstAckNanos.put(op.id(), op.completeNanos()));
    history.resends().stream().filter(r -> r.outcome() == Outcome.OK)
        .sorted(Comparator.comparingLong(Resend::completeNanos))
        .forEach(r -> {
          if (firstAckNanos.putIfAbsent(r.operationId(), r.completeNanos()) == null) {
            resolvedAfterRun.put(r.operationId(), r.afterRun());
          }
        });
    List<FaultSpan> spans = FaultSpan.of(events);
    long acked = 0;
    long afterLeaderKill = 0;
    long afterClusterRestart = 0;
    for (Resend r : history.resends()) {
      Long ack = firstAckNanos.get(r.operationId());
      if (r.outcome() != Outcome.OK || ack == null || ack >= r.invokeNanos()) {
        continue;
      }
      acked++;
      if (faultBetween(spans, LEADER_KILLS, ack, r.invokeNanos())) {
        afterLeaderKill++;
      }
      if (faultBetween(spans, Set.of(NemesisAction.CLUSTER_RESTART), ack, r.invokeNanos())) {
        afterClusterRestart++;
      }
    }
    long unknown = count(increments, Outcome.UNKNOWN);
    long duringRun = resolvedAfterRun.values().stream().filter(after -> !after).count();
    long afterRun = resolvedAfterRun.size() - duringRun;
    return new ResendSummary(increments.size(), count(increments, Outcome.OK), unknown,
        count(increments, Outcome.FAIL), duringRun, afterRun, unknown - resolvedAfterRun.size(),
        history.resends().size(), acked, afterLeaderKill, afterClusterRestart);
  }

  /** Whether one of {@code actions} hit the cluster after {@code from} and was healed before {@code to}. */
  private static boolean faultBetween(List<FaultSpan> spans, Set<NemesisAction> actions, long from, long to) {
    return spans.stream().anyMatch(s -> actions.contains(s.action()) && s.faultNanos() > from && s.healedNanos() < to);
  }

  private static long count(List<Operation> ops, Outcome outcome) {
    return ops.stream().filter(op -> op.outcome() == outcome).count();
  }

  /** The report's lines, indented. */
  String render() {
    return String.format("  %d increments: %d acknowledged at once, %d failed before being ordered, %d unknown "
            + "(%d answered by a re-send during the run, %d in the resolution phase, %d unresolved)%n"
            + "  %d re-sends; %d answered re-sends of acknowledged increments, %d of them after a leader kill and %d "
            + "after a cluster restart since the acknowledgement%n",
        increments, acknowledgedAtOnce, failedAtFirst, unknownAtFirst, resolvedDuringRun, resolvedAfterRun,
        unresolved, resends, answeredResendsOfAcknowledged, afterLeaderKill, afterClusterRestart);
  }
}
