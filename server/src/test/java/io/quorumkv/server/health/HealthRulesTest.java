package io.quorumkv.server.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.quorumkv.proto.internal.IndexDefinition;
import io.quorumkv.proto.v1.IndexSpec;
import io.quorumkv.server.health.HealthRules.Observation;
import io.quorumkv.server.health.HealthRules.Role;
import io.quorumkv.server.health.HealthRules.Verdict;
import io.quorumkv.statemachine.search.IndexStats;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthRulesTest {
  private static final HealthRules.Limits LIMITS = new HealthRules.Limits(2000, 1000, 1000);

  private static Observation leader(List<Long> followerContactMs) {
    return new Observation(Role.LEADER, true, Long.MAX_VALUE, followerContactMs, 3, 500, 500, 500, List.of());
  }

  private static Observation follower(boolean leaderKnown, long contactMs, long commit, long applied) {
    return new Observation(Role.FOLLOWER, leaderKnown, contactMs, List.of(), 3, commit, applied, applied, List.of());
  }

  private static IndexStats index(String name, IndexStats.State state, String failure) {
    return new IndexStats(IndexDefinition.newBuilder().setSpec(IndexSpec.newBuilder().setName(name)).build(),
        state, 10, 1, false, 0, 0, 0, 0, failure);
  }

  private static Observation withIndexes(long applied, long indexed, IndexStats... indexes) {
    return new Observation(Role.FOLLOWER, true, 100, List.of(), 3, applied, applied, indexed, List.of(indexes));
  }

  @Test
  void aLeaderServesWhileAMajorityOfVotersAnswersIt() {
    assertThat(HealthRules.judge(leader(List.of(100L, 300L)), LIMITS).serving()).isTrue();
    assertThat(HealthRules.judge(leader(List.of(100L, 60_000L)), LIMITS).serving()).as("2 of 3").isTrue();
    Verdict cutOff = HealthRules.judge(leader(List.of(2001L, 60_000L)), LIMITS);
    assertThat(cutOff.servesKv()).isFalse();
    assertThat(cutOff.kvReasons()).containsExactly(
        "leader in contact with 1 of 3 voting members (a majority is 2)");
  }

  @Test
  void aFollowerServesWhileItHearsFromItsLeaderAndKeepsUpWithTheLog() {
    assertThat(HealthRules.judge(follower(true, 250, 900, 900), LIMITS).serving()).isTrue();
    assertThat(HealthRules.judge(follower(true, 2000, 1900, 900), LIMITS).serving()).as("at the limits").isTrue();
    assertThat(HealthRules.judge(follower(false, 0, 900, 900), LIMITS).kvReasons())
        .containsExactly("no leader known");
    assertThat(HealthRules.judge(follower(true, 5000, 900, 900), LIMITS).kvReasons())
        .containsExactly("no word from the leader for 5000 ms");
    assertThat(HealthRules.judge(follower(true, 100, 1901, 900), LIMITS).kvReasons())
        .containsExactly("applied index 900 is 1001 entries behind the commit index 1901");
    Observation candidate = new Observation(Role.CANDIDATE, false, 0, List.of(), 3, 9, 9, 9, List.of());
    assertThat(HealthRules.judge(candidate, LIMITS).kvReasons()).containsExactly("no leader known: electing one");
  }

  @Test
  void searchesAreServedOnlyOnceEveryIndexIsReadyAndCaughtUp() {
    IndexStats ready = index("docs", IndexStats.State.READY, "");
    assertThat(HealthRules.judge(withIndexes(5000, 4000, ready), LIMITS).serving()).isTrue();

    Verdict building = HealthRules.judge(withIndexes(5000, 5000, ready,
        index("new", IndexStats.State.BUILDING, "")), LIMITS);
    assertThat(building.servesKv()).as("key-value requests are unaffected").isTrue();
    assertThat(building.serving()).isFalse();
    assertThat(building.searchReasons()).containsExactly("index new is BUILDING");

    assertThat(HealthRules.judge(withIndexes(5000, 5000, index("bad", IndexStats.State.FAILED, "disk full")),
        LIMITS).searchReasons()).containsExactly("index bad is FAILED: disk full");
    assertThat(HealthRules.judge(withIndexes(5000, 3999, ready), LIMITS).searchReasons())
        .containsExactly("search indexes are 1001 log entries behind the applied index");
    assertThat(HealthRules.judge(withIndexes(5000, 0), LIMITS).serving())
        .as("no index: the indexer's position does not matter").isTrue();
  }

  @Test
  void searchReasonsIncludeTheKeyValueOnes() {
    Observation noLeader = new Observation(Role.FOLLOWER, false, 0, List.of(), 3, 10, 10, 10,
        List.of(index("new", IndexStats.State.BUILDING, "")));
    assertThat(HealthRules.judge(noLeader, LIMITS).searchReasons())
        .containsExactly("no leader known", "index new is BUILDING");
  }

  @Test
  void reasonsAreToldApartAsDelaysOrStates() {
    Verdict silence = HealthRules.judge(follower(true, 5000, 900, 900), LIMITS);
    assertThat(silence.kvDelaysOnly()).isTrue();
    Verdict cutOffLeader = HealthRules.judge(leader(List.of(2001L, 60_000L)), LIMITS);
    assertThat(cutOffLeader.kvDelaysOnly()).isTrue();
    Verdict behind = HealthRules.judge(follower(true, 100, 1901, 900), LIMITS);
    assertThat(behind.kvDelaysOnly()).isTrue();
    assertThat(HealthRules.judge(follower(false, 0, 900, 900), LIMITS).kvDelaysOnly()).isFalse();
    Observation learner = new Observation(Role.LEARNER, true, 100, List.of(), 3, 9, 9, 9, List.of());
    assertThat(HealthRules.judge(learner, LIMITS).kvDelaysOnly()).isFalse();

    IndexStats ready = index("docs", IndexStats.State.READY, "");
    Verdict indexLag = HealthRules.judge(withIndexes(5000, 3999, ready), LIMITS);
    assertThat(indexLag.searchDelaysOnly()).isTrue();
    Verdict building = HealthRules.judge(withIndexes(5000, 5000, index("new", IndexStats.State.BUILDING, "")),
        LIMITS);
    assertThat(building.searchDelaysOnly()).isFalse();
    assertThat(building.kvDelaysOnly()).as("no kv reason at all").isTrue();
  }
}
