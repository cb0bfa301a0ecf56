package io.quorumkv.server.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.quorumkv.proto.v1.Member;
import org.junit.jupiter.api.Test;

class JoiningMemberTest {
  private static final MemberEntry N4 = new MemberEntry("n4", "127.0.0.1:7104", "127.0.0.1:7004", false);
  private static final Member RUNNING =
      Member.newBuilder().setId("n4").setRaftAddress("127.0.0.1:7104").setReachable(true).build();

  @Test
  void acceptsTheMemberRunningAtTheGivenAddresses() {
    assertThat(JoiningMember.refusal(N4, RUNNING)).isEmpty();
  }

  @Test
  void refusesAMemberThatDoesNotAnswerAndSaysHowToStartIt() {
    Member silent = Member.newBuilder().setId("n4").setReachable(false).setError("Connection refused").build();
    assertThat(JoiningMember.refusal(N4, silent)).get().asString()
        .contains("does not answer at its client address 127.0.0.1:7004 (Connection refused)")
        .contains("--node n4 --join");
  }

  @Test
  void refusesAnotherMemberAtThatAddress() {
    assertThat(JoiningMember.refusal(N4, RUNNING.toBuilder().setId("n5").build())).get().asString()
        .isEqualTo("the member at 127.0.0.1:7004 is n5, not n4");
  }

  @Test
  void refusesAWrongRaftAddress() {
    assertThat(JoiningMember.refusal(N4, RUNNING.toBuilder().setRaftAddress("127.0.0.1:7999").build()))
        .get().asString().contains("listens for Raft at 127.0.0.1:7999, not at 127.0.0.1:7104");
  }
}
