package io.quorumkv.chaos.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.quorumkv.chaos.history.History;
import io.quorumkv.chaos.history.OpType;
import io.quorumkv.chaos.history.Operation;
import io.quorumkv.chaos.history.Outcome;
import io.quorumkv.chaos.nemesis.NemesisAction;
import io.quorumkv.chaos.nemesis.NemesisEvent;
import io.quorumkv.chaos.nemesis.NemesisEvent.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UnavailabilityWindowsTest {
  private static final Map<String, String> ENDPOINTS = Map.of("n1", "h:1", "n2", "h:2");
  private final List<Operation> ops = new ArrayList<>();

  private void ack(long atMillis, String member) {
    ops.add(new Operation(ops.size(), 0, OpType.GET, "k", null, 0, List.of(), atMillis * 1_000_000 - 1,
        atMillis * 1_000_000, Outcome.OK, null, 0, member, null));
  }

  private static NemesisEvent event(long atMillis, NemesisAction action, Step step, String node, boolean leader) {
    return new NemesisEvent(atMillis * 1_000_000, action, step, node, leader);
  }

  @Test
  void measuresFromTheLastAckBeforeToTheFirstAckFromANewLeader() {
    ack(100, "h:1");
    ack(900, "h:1");
    ack(1_010, "h:1"); // a response already on the wire when its leader died
    ack(2_400, "h:2");
    List<Window> w = UnavailabilityWindows.measure(new History(0, ops), List.of(
        event(1_000, NemesisAction.LEADER_KILL, Step.KILL, "n1", true),
        event(2_000, NemesisAction.LEADER_KILL, Step.RESTART, "n1", false)), ENDPOINTS);
    assertThat(w).hasSize(1);
    assertThat(w.get(0).millis()).isEqualTo(1_500);
  }

  @Test
  void countsAcksOfAResumedLeaderAndOfAnyMemberAfterAFollowerFault() {
    ack(900, "h:1");
    ack(1_100, "h:1"); // the paused leader, before it was resumed: does not count
    ack(2_300, "h:1"); // resumed and still leader: counts
    List<Window> w = UnavailabilityWindows.measure(new History(0, ops), List.of(
        event(1_000, NemesisAction.PAUSE, Step.PAUSE, "n1", true),
        event(2_000, NemesisAction.PAUSE, Step.RESUME, "n1", false),
        event(2_100, NemesisAction.FOLLOWER_KILL, Step.KILL, "n2", false)), ENDPOINTS);
    assertThat(w).extracting(Window::millis).containsExactly(1_400L, 1_200L);
  }

  @Test
  void givesAClusterRestartOneWindowEndingAfterEveryMemberWasRestarted() {
    ack(900, "h:2");
    ack(1_005, "h:2"); // a follower's read answer on the wire at the kill: no member runs
    ack(1_900, "h:2"); // still before the restarts: cannot have been served
    ack(3_000, "h:1");
    List<Window> w = UnavailabilityWindows.measure(new History(0, ops), List.of(
        event(1_000, NemesisAction.CLUSTER_RESTART, Step.KILL, "n1", true),
        event(1_000, NemesisAction.CLUSTER_RESTART, Step.KILL, "n2", false),
        event(2_000, NemesisAction.CLUSTER_RESTART, Step.RESTART, "n1", false),
        event(2_001, NemesisAction.CLUSTER_RESTART, Step.RESTART, "n2", false)), ENDPOINTS);
    assertThat(w).singleElement().satisfies(window -> {
      assertThat(window.fault().node()).isEqualTo("n1");
      assertThat(window.millis()).isEqualTo(2_100);
    });
  }

  @Test
  void reportsAFaultWithNoAckAfterIt() {
    ack(900, "h:1");
    Window w = UnavailabilityWindows.measure(new History(0, ops),
        List.of(event(1_000, NemesisAction.LEADER_KILL, Step.KILL, "n1", true)), ENDPOINTS).get(0);
    assertThat(w.recovered()).isFalse();
    assertThat(w.millis()).isEqualTo(-1);
  }
}
