package io.quorumkv.chaos.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.quorumkv.chaos.history.History;
import io.quorumkv.chaos.history.OpType;
import io.quorumkv.chaos.history.Operation;
import io.quorumkv.chaos.history.Outcome;
import io.quorumkv.chaos.history.Resend;
import io.quorumkv.chaos.history.WriteIdentity;
import io.quorumkv.chaos.nemesis.NemesisAction;
import io.quorumkv.chaos.nemesis.NemesisEvent;
import io.quorumkv.chaos.nemesis.NemesisEvent.Step;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResendSummaryTest {
  private final List<Operation> ops = new ArrayList<>();
  private final List<Resend> resends = new ArrayList<>();

  private void incr(long fromMillis, long toMillis, Outcome outcome) {
    long id = ops.size();
    ops.add(new Operation(id, 0, OpType.INCR, "c/0", null, 1, List.of(), fromMillis * 1_000_000,
        toMillis * 1_000_000, outcome, outcome == Outcome.OK ? "1" : null, outcome == Outcome.OK ? 5 : 0, null,
        null, new WriteIdentity("00", id + 1)));
  }

  private void resend(long opId, long fromMillis, Outcome outcome, boolean afterRun) {
    resends.add(new Resend(opId, 0, "c/0", 1, ops.get((int) opId).writeId(), fromMillis * 1_000_000,
        (fromMillis + 1) * 1_000_000, outcome, outcome == Outcome.OK ? "1" : null, outcome == Outcome.OK ? 5 : 0,
        null, null, null, afterRun));
  }

  private static NemesisEvent event(long atMillis, NemesisAction action, Step step, String node) {
    return new NemesisEvent(atMillis * 1_000_000, action, step, node, false);
  }

  @Test
  void countsResolutionsAndResendsAnsweredAfterEachKindOfFault() {
    incr(0, 1, Outcome.OK);          // #0: acknowledged at once
    incr(2, 3, Outcome.UNKNOWN);     // #1: resolved during the run
    incr(4, 5, Outcome.UNKNOWN);     // #2: resolved after it
    incr(6, 7, Outcome.UNKNOWN);     // #3: never resolved
    incr(8, 9, Outcome.FAIL);        // #4: refused before being ordered
    resend(1, 20, Outcome.OK, false);
    resend(0, 50, Outcome.OK, false);   // after the leader kill at 10..12
    resend(0, 150, Outcome.OK, true);   // after the cluster restart at 100..110 as well
    resend(1, 150, Outcome.OK, true);   // acknowledged at 21: after the cluster restart only
    resend(2, 150, Outcome.OK, true);   // its resolution: not a re-send of an acknowledged increment
    resend(3, 150, Outcome.UNKNOWN, true);
    List<NemesisEvent> events = List.of(
        event(10, NemesisAction.LEADER_KILL, Step.KILL, "n1"),
        event(12, NemesisAction.LEADER_KILL, Step.RESTART, "n1"),
        event(100, NemesisAction.CLUSTER_RESTART, Step.KILL, "n1"),
        event(100, NemesisAction.CLUSTER_RESTART, Step.KILL, "n2"),
        event(110, NemesisAction.CLUSTER_RESTART, Step.RESTART, "n1"),
        event(110, NemesisAction.CLUSTER_RESTART, Step.RESTART, "n2"));
    ResendSummary s = ResendSummary.of(new History(0, ops, resends), events);
    assertThat(s).isEqualTo(new ResendSummary(5, 1, 3, 1, 1, 1, 1, 6, 3, 2, 2));
    assertThat(s.render()).contains("5 increments").contains("1 unresolved").contains("2 after a cluster restart");
  }
}
