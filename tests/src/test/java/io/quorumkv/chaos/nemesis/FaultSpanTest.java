package io.quorumkv.chaos.nemesis;

import static org.assertj.core.api.Assertions.assertThat;

import io.quorumkv.chaos.nemesis.NemesisEvent.Step;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultSpanTest {
  private static NemesisEvent at(long nanos, NemesisAction action, Step step, String node) {
    return new NemesisEvent(nanos, action, step, node, false);
  }

  @Test
  void groupsEachActionsFaultsWithItsHealsAlsoForTheSameActionTwiceInARow() {
    List<FaultSpan> spans = FaultSpan.of(List.of(
        at(10, NemesisAction.CLUSTER_RESTART, Step.KILL, "n1"),
        at(10, NemesisAction.CLUSTER_RESTART, Step.KILL, "n2"),
        at(20, NemesisAction.CLUSTER_RESTART, Step.RESTART, "n1"),
        at(21, NemesisAction.CLUSTER_RESTART, Step.RESTART, "n2"),
        at(30, NemesisAction.CLUSTER_RESTART, Step.KILL, "n2"),
        at(31, NemesisAction.CLUSTER_RESTART, Step.RESTART, "n2"),
        at(40, NemesisAction.COMBINED, Step.PAUSE, "n3"),
        at(40, NemesisAction.COMBINED, Step.KILL, "n1"),
        at(45, NemesisAction.COMBINED, Step.RESUME, "n3"),
        at(46, NemesisAction.COMBINED, Step.RESTART, "n1"),
        at(50, NemesisAction.LEADER_KILL, Step.KILL, "n2")));
    assertThat(spans).extracting(FaultSpan::action).containsExactly(NemesisAction.CLUSTER_RESTART,
        NemesisAction.CLUSTER_RESTART, NemesisAction.COMBINED, NemesisAction.LEADER_KILL);
    assertThat(spans).extracting(FaultSpan::faultNanos).containsExactly(10L, 30L, 40L, 50L);
    assertThat(spans).extracting(FaultSpan::healedNanos).containsExactly(21L, 31L, 46L, Long.MAX_VALUE);
    assertThat(spans.get(0).first().node()).isEqualTo("n1");
  }
}
