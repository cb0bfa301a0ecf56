package io.quorumkv.server.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.quorumkv.server.membership.MembershipRules.Decision;
import io.quorumkv.server.membership.MembershipRules.Kind;
import io.quorumkv.server.membership.MembershipRules.View;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MembershipRulesTest {
  private static final MemberEntry N1 = voter("n1");
  private static final MemberEntry N2 = voter("n2");
  private static final MemberEntry N3 = voter("n3");
  private static final Configuration THREE = new Configuration(List.of(N1, N2, N3), List.of(), 7, false);

  private static MemberEntry voter(String id) {
    int n = Integer.parseInt(id.substring(1));
    return new MemberEntry(id, "127.0.0.1:" + (7100 + n), "127.0.0.1:" + (7000 + n), true);
  }

  private static MemberEntry learner(String id) {
    MemberEntry v = voter(id);
    return new MemberEntry(id, v.raftAddress(), v.clientAddress(), false);
  }

  /** Every member answers and is at the leader's commit index. */
  private static View allUp(String... ids) {
    Map<String, Long> progress = new java.util.HashMap<>();
    for (String id : ids) {
      progress.put(id, 100L);
    }
    return new View(Set.of(ids), progress, 100, 1000);
  }

  private static List<String> ids(List<MemberEntry> members) {
    return members.stream().map(MemberEntry::id).toList();
  }

  @Test
  void addsANewMemberAsALearnerOnly() {
    Decision d = MembershipRules.addLearner(THREE, voter("n4"), allUp("n1", "n2", "n3"));

    assertThat(d.kind()).isEqualTo(Kind.CHANGE);
    assertThat(ids(d.next().voters())).containsExactly("n1", "n2", "n3");
    assertThat(ids(d.next().learners())).containsExactly("n4");
    assertThat(d.next().learners().get(0).voter()).isFalse();
  }

  @Test
  void addingAMemberAgainWithTheSameAddressesChangesNothing() {
    assertThat(MembershipRules.addLearner(THREE, voter("n2"), allUp("n1", "n2", "n3")).kind())
        .isEqualTo(Kind.NO_CHANGE);
  }

  @Test
  void refusesTakenIdsAndAddressesAndMalformedOnes() {
    View up = allUp("n1", "n2", "n3");
    MemberEntry movedN2 = new MemberEntry("n2", "127.0.0.1:9999", "127.0.0.1:9998", false);
    assertThat(MembershipRules.addLearner(THREE, movedN2, up).message()).contains("n2 is already a member");

    MemberEntry reusesN3 = new MemberEntry("n4", "127.0.0.1:7103", "127.0.0.1:7004", false);
    Decision d = MembershipRules.addLearner(THREE, reusesN3, up);
    assertThat(d.kind()).isEqualTo(Kind.REFUSED);
    assertThat(d.message()).contains("127.0.0.1:7103 is already used by member n3");

    assertThat(MembershipRules.addLearner(THREE, new MemberEntry("n4", "nowhere", "127.0.0.1:7004", false), up)
        .message()).contains("'nowhere' is not a host:port address");
    assertThat(MembershipRules.addLearner(THREE, new MemberEntry("n4", "h:70000", "127.0.0.1:7004", false), up)
        .kind()).isEqualTo(Kind.REFUSED);
    assertThat(MembershipRules.addLearner(THREE, new MemberEntry("n 4", "h:1", "h:2", false), up).message())
        .contains("member id 'n 4'");
    assertThat(MembershipRules.addLearner(THREE, new MemberEntry("n4", "h:1", "h:1", false), up).message())
        .contains("must differ");
  }

  @Test
  void everyChangeNeedsAWorkingQuorumNow() {
    View onlyLeader = new View(Set.of("n1"), Map.of("n1", 100L), 100, 1000);

    Decision d = MembershipRules.addLearner(THREE, voter("n4"), onlyLeader);

    assertThat(d.kind()).isEqualTo(Kind.REFUSED);
    assertThat(d.message()).contains("no quorum now: 1 of the 3 voting members").contains("2 are needed");
  }

  @Test
  void oneChangeAtATime() {
    Configuration joint = new Configuration(List.of(N1, N2, N3), List.of(learner("n4")), 9, true);

    Decision d = MembershipRules.promote(joint, "n4", allUp("n1", "n2", "n3", "n4"));

    assertThat(d.kind()).isEqualTo(Kind.IN_PROGRESS);
    assertThat(d.message()).contains("configuration entry 9");
  }

  @Test
  void promotesACaughtUpLearner() {
    Configuration withLearner = new Configuration(List.of(N1, N2, N3), List.of(learner("n4")), 9, false);

    Decision d = MembershipRules.promote(withLearner, "n4", allUp("n1", "n2", "n3", "n4"));

    assertThat(d.kind()).isEqualTo(Kind.CHANGE);
    assertThat(ids(d.next().voters())).containsExactly("n1", "n2", "n3", "n4");
    assertThat(d.next().learners()).isEmpty();
    assertThat(MembershipRules.promote(THREE, "n3", allUp("n1", "n2", "n3")).kind()).isEqualTo(Kind.NO_CHANGE);
    assertThat(MembershipRules.promote(THREE, "n9", allUp("n1", "n2", "n3")).message()).contains("n9 is not a member");
  }

  @Test
  void refusesToPromoteALearnerThatIsBehindOrSilent() {
    Configuration withLearner = new Configuration(List.of(N1, N2, N3), List.of(learner("n4")), 9, false);
    View behind = new View(Set.of("n1", "n2", "n3", "n4"), Map.of("n4", 98_000L), 100_000, 1000);
    View silent = new View(Set.of("n1", "n2", "n3"), Map.of("n4", 100L), 100, 1000);

    assertThat(MembershipRules.promote(withLearner, "n4", behind).message())
        .contains("n4 is 2000 entries behind the leader");
    assertThat(MembershipRules.promote(withLearner, "n4", silent).message()).contains("n4 does not answer");
  }

  @Test
  void refusesAPromotionThatLeavesTheNewVotersWithoutAResponsiveMajority() {
    // Four voters, two of them down: the current three (n1, n2 up) still have a quorum, but n1, n2 and
    // n4 of five would need three of five.
    Configuration fourAndLearner = new Configuration(List.of(N1, N2, N3, voter("n5")), List.of(learner("n4")), 9,
        false);
    View view = new View(Set.of("n1", "n2", "n3", "n4"), Map.of("n4", 100L), 100, 1000);
    assertThat(MembershipRules.promote(fourAndLearner, "n4", view).kind()).isEqualTo(Kind.CHANGE);

    View fewer = new View(Set.of("n1", "n2", "n4"), Map.of("n4", 100L), 100, 1000);
    assertThat(MembershipRules.promote(fourAndLearner, "n4", fewer).message()).contains("no quorum now");
  }

  @Test
  void removesAVoterOrALearner() {
    Configuration five = new Configuration(List.of(N1, N2, N3, voter("n4"), voter("n5")), List.of(learner("n6")), 9,
        false);
    View up = allUp("n1", "n2", "n3", "n4", "n5", "n6");

    Decision voterGone = MembershipRules.remove(five, "n1", up, 3);
    assertThat(voterGone.kind()).isEqualTo(Kind.CHANGE);
    assertThat(ids(voterGone.next().voters())).containsExactly("n2", "n3", "n4", "n5");
    assertThat(ids(voterGone.next().learners())).containsExactly("n6");

    Decision learnerGone = MembershipRules.remove(five, "n6", up, 3);
    assertThat(ids(learnerGone.next().voters())).hasSize(5);
    assertThat(learnerGone.next().learners()).isEmpty();
  }

  @Test
  void refusesARemovalBelowTheMinimumOfVoters() {
    Decision d = MembershipRules.remove(THREE, "n3", allUp("n1", "n2", "n3"), 3);

    assertThat(d.kind()).isEqualTo(Kind.REFUSED);
    assertThat(d.message()).contains("would leave 2 voting members, fewer than membership.min-voters (3)")
        .contains("add its replacement first");
    assertThat(MembershipRules.remove(THREE, "n3", allUp("n1", "n2", "n3"), 2).kind()).isEqualTo(Kind.CHANGE);
  }

  @Test
  void refusesARemovalThatLosesTheQuorum() {
    // n3 is down: removing the healthy n2 leaves n1 and n3, of which only one answers.
    View n3Down = new View(Set.of("n1", "n2"), Map.of(), 100, 1000);

    Decision d = MembershipRules.remove(THREE, "n2", n3Down, 1);

    assertThat(d.kind()).isEqualTo(Kind.REFUSED);
    assertThat(d.message()).contains("no quorum without n2: 1 of the 2 voting members [n1, n3] answer the leader [n1]");
    // Removing the dead one instead is fine.
    assertThat(MembershipRules.remove(THREE, "n3", n3Down, 1).kind()).isEqualTo(Kind.CHANGE);
  }

  @Test
  void neverRemovesTheLastVoter() {
    Configuration one = new Configuration(List.of(N1), List.of(), 1, false);

    assertThat(MembershipRules.remove(one, "n1", allUp("n1"), 0).message()).contains("no voting member");
    assertThat(MembershipRules.remove(THREE, "n9", allUp("n1", "n2", "n3"), 1).message()).contains("n9 is not a member");
  }
}
