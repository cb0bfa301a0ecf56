package io.quorumkv.server.membership;

import io.quorumkv.proto.v1.Member;
import java.util.Optional;

/**
 * Checks, before an add is proposed, that the member to be added is running at the addresses given.
 * Ratis would otherwise stage a member that never answers until the leader is idle for its staging
 * timeout or loses leadership: under steady writes, that is never, and no other change could start.
 */
public final class JoiningMember {
  private JoiningMember() {}

  /**
   * Why {@code candidate} cannot be added, judged from what its client address answered to MemberStatus;
   * empty if it can.
   */
  public static Optional<String> refusal(MemberEntry candidate, Member answer) {
    String start = "; start it first with `quorumkv node --config FILE --node " + candidate.id() + " --join`";
    if (!answer.getReachable()) {
      return Optional.of("member " + candidate.id() + " does not answer at its client address "
          + candidate.clientAddress() + " (" + answer.getError() + ")" + start);
    }
    if (!answer.getId().equals(candidate.id())) {
      return Optional.of("the member at " + candidate.clientAddress() + " is " + answer.getId() + ", not "
          + candidate.id());
    }
    if (!answer.getRaftAddress().equals(candidate.raftAddress())) {
      return Optional.of("member " + candidate.id() + " listens for Raft at " + answer.getRaftAddress()
          + ", not at " + candidate.raftAddress() + " as the request says");
    }
    return Optional.empty();
  }
}
