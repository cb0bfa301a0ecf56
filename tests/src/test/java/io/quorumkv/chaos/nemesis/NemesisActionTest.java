package io.quorumkv.chaos.nemesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NemesisActionTest {
  @Test
  void parsesAScheduleKeepingOrderAndRepetitions() {
    assertThat(NemesisAction.parseList("leader-kill, pause,leader-kill,combined,follower-kill,cluster-restart"))
        .containsExactly(NemesisAction.LEADER_KILL, NemesisAction.PAUSE, NemesisAction.LEADER_KILL,
            NemesisAction.COMBINED, NemesisAction.FOLLOWER_KILL, NemesisAction.CLUSTER_RESTART);
  }

  @Test
  void rejectsUnknownNamesListingTheValidOnes() {
    assertThatThrownBy(() -> NemesisAction.parseList("leader-kill,partition"))
        .hasMessageContaining("partition").hasMessageContaining("follower-kill");
    assertThatThrownBy(() -> NemesisAction.parseList(" , ")).isInstanceOf(IllegalArgumentException.class);
  }
}
