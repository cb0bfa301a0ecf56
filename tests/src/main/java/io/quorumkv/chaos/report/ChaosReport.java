package io.quorumkv.chaos.report;

import io.quorumkv.chaos.checker.CheckResult;
import io.quorumkv.chaos.checker.LostWritesChecker;
import io.quorumkv.chaos.checker.Violation;
import io.quorumkv.chaos.history.History;
import io.quorumkv.chaos.history.OpType;
import io.quorumkv.chaos.history.Operation;
import io.quorumkv.chaos.history.Outcome;
import io.quorumkv.chaos.nemesis.FaultSpan;
import io.quorumkv.chaos.nemesis.NemesisAction;
import io.quorumkv.chaos.nemesis.NemesisEvent;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The outcome of one chaos run: what was done, what the clients saw, what the checkers found. {@link
 * #render()} gives the text report, whose last line is {@link #summaryLine()}:
 *
 * <pre>CHAOS ok=… failed=… unknown=… kills=… lost=… violations=… max_window_ms=… seed=…</pre>
 *
 * where kills counts every SIGKILL (leader, follower, and every member of a cluster restart), lost counts acknowledged writes missing after
 * the run, violations counts every other violation, and max_window_ms is the longest unavailability window
 * after a leader-kill (-1 if clients never recovered from one, 0 if there was none).
 *
 * @param seed the run's seed
 * @param settingsLine the run's settings, one line
 * @param history the recorded history
 * @param events the nemesis's steps
 * @param windows the unavailability window of each fault
 * @param checks the checkers' results
 */
public record ChaosReport(long seed, String settingsLine, History history, List<NemesisEvent> events,
    List<Window> windows, List<CheckResult> checks) {

  /** True when nothing was lost and no checker found a violation. */
  public boolean passed() {
    return checks.stream().allMatch(CheckResult::passed);
  }

  public long lost() {
    return violations().stream().filter(v -> v.checker().equals(LostWritesChecker.LOST)).count();
  }

  /** Violations other than lost writes. */
  public long otherViolations() {
    return violations().size() - lost();
  }

  public List<Violation> violations() {
    return checks.stream().flatMap(c -> c.violations().stream()).toList();
  }

  /** SIGKILLs of the given action, counting only those that hit the leader when {@code leaderOnly}. */
  public long kills(NemesisAction action, boolean leaderOnly) {
    return events.stream().filter(e -> e.step() == NemesisEvent.Step.KILL && e.action() == action
        && (!leaderOnly || e.wasLeader())).count();
  }

  /** Cluster restarts (each one SIGKILLs every member, so it adds one kill per member to {@link #kills()}). */
  public long clusterRestarts() {
    return FaultSpan.of(events).stream().filter(s -> s.action() == NemesisAction.CLUSTER_RESTART).count();
  }

  public long kills() {
    return events.stream().filter(e -> e.step() == NemesisEvent.Step.KILL).count();
  }

  /** Longest window after a leader-kill; -1 if one never ended, 0 if there was none. */
  public long maxLeaderKillWindowMillis() {
    List<Window> kills = windows.stream().filter(w -> w.fault().action() == NemesisAction.LEADER_KILL).toList();
    if (kills.stream().anyMatch(w -> !w.recovered())) {
      return -1;
    }
    return kills.stream().mapToLong(Window::millis).max().orElse(0);
  }

  /** The resend run's increments and re-sends (all zero for a run without resend mode). */
  public ResendSummary resendSummary() {
    return ResendSummary.of(history, events);
  }

  public double seconds() {
    List<Operation> ops = history.operations();
    if (ops.isEmpty()) {
      return 0;
    }
    long end = ops.stream().mapToLong(Operation::completeNanos).max().orElseThrow();
    return (end - history.originNanos()) / 1e9;
  }

  public String summaryLine() {
    Map<Outcome, Long> counts = history.countByOutcome();
    return "CHAOS ok=" + counts.get(Outcome.OK) + " failed=" + counts.get(Outcome.FAIL) + " unknown="
        + counts.get(Outcome.UNKNOWN) + " kills=" + kills() + " lost=" + lost() + " violations="
        + otherViolations() + " max_window_ms=" + maxLeaderKillWindowMillis() + " seed=" + seed;
  }

  public String render() {
    StringBuilder out = new StringBuilder("QuorumKV chaos report\n");
    out.append("  ").append(settingsLine).append('\n');
    out.append("Operations\n");
    Map<OpType, Map<Outcome, Long>> byType = new EnumMap<>(OpType.class);
    for (Operation op : history.operations()) {
      byType.computeIfAbsent(op.type(), t -> new EnumMap<>(Outcome.class)).merge(op.outcome(), 1L, Long::sum);
    }
    byType.forEach((type, counts) -> out.append(String.format("  %-7s ok %7d  failed %5d  unknown %5d%n", type,
        counts.getOrDefault(Outcome.OK, 0L), counts.getOrDefault(Outcome.FAIL, 0L),
        counts.getOrDefault(Outcome.UNKNOWN, 0L))));
    Map<Outcome, Long> total = history.countByOutcome();
    double secs = seconds();
    out.append(String.format("  total   ok %7d  failed %5d  unknown %5d   over %.1f s: %.0f ok/s%n",
        total.get(Outcome.OK), total.get(Outcome.FAIL), total.get(Outcome.UNKNOWN), secs,
        secs > 0 ? total.get(Outcome.OK) / secs : 0));
    out.append(String.format("Faults%n  %d leader kills, %d follower kills, %d pauses (%d of the leader), "
            + "%d combined (leader kill + follower pause), %d cluster restarts (every member killed)%n",
        kills(NemesisAction.LEADER_KILL, false), kills(NemesisAction.FOLLOWER_KILL, false),
        events.stream().filter(e -> e.action() == NemesisAction.PAUSE && e.step() == NemesisEvent.Step.PAUSE)
            .count(),
        events.stream().filter(e -> e.action() == NemesisAction.PAUSE && e.wasLeader()).count(),
        kills(NemesisAction.COMBINED, false), clusterRestarts()));
    out.append("Unavailability windows (last ack before the fault -> first ack after it, from another member "
        + "when the victim led)\n");
    for (Window w : windows) {
      NemesisEvent f = w.fault();
      out.append(String.format("  t=%7.3fs %-13s %-5s %-4s%s  %s%n", (f.atNanos() - history.originNanos()) / 1e9,
          f.action().cliName(), f.step().name().toLowerCase(), f.node(), f.wasLeader() ? " (leader)" : "         ",
          w.recovered() ? w.millis() + " ms" : "no ack after it"));
    }
    for (NemesisAction a : NemesisAction.values()) {
      List<Long> ms = windows.stream().filter(w -> w.fault().action() == a && w.recovered())
          .map(Window::millis).sorted().toList();
      if (!ms.isEmpty()) {
        out.append(String.format("  %-13s windows: min %d ms, median %d ms, max %d ms (%d faults)%n",
            a.cliName(), ms.get(0), ms.get(ms.size() / 2), ms.get(ms.size() - 1), ms.size()));
      }
    }
    ResendSummary resends = resendSummary();
    if (resends.increments() > 0) {
      out.append("Re-sends (increments sent through the raw stubs with their own WriteIds)\n").append(resends.render());
    }
    out.append("Checks\n");
    for (CheckResult c : checks) {
      out.append(String.format("  %-16s %s (%d checked)%n", c.checker(),
          c.passed() ? "ok" : c.violations().size() + " VIOLATIONS", c.checked()));
      c.notes().forEach(n -> out.append("      ").append(n).append('\n'));
    }
    List<Violation> violations = violations();
    out.append("Violations: ").append(violations.isEmpty() ? "none" : violations.size()).append('\n');
    for (Violation v : violations) {
      out.append("  [").append(v.checker()).append("] ").append(v.key() == null ? "" : v.key() + ": ")
          .append(v.description()).append('\n');
      out.append(v.evidence().stream().map(op -> "      " + op.describe(history.originNanos()))
          .collect(Collectors.joining("\n", "", v.evidence().isEmpty() ? "" : "\n")));
    }
    out.append(summaryLine()).append('\n');
    return out.toString();
  }
}
