package io.quorumkv.server.membership;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Whether a membership change is safe, and the configuration it leads to: a pure function of the current
 * configuration and of what the leader sees of the members, so that every rule can be checked without a
 * cluster. The rules: one change at a time; every change needs a working quorum of the current voters
 * (else it could not commit); the new voters must include a responsive majority of themselves; a removal
 * may not leave fewer voters than the configured minimum; a learner becomes a voter only once it has
 * caught up with the leader's log.
 */
public final class MembershipRules {
  private static final Pattern MEMBER_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9._-]+:(\\d{1,5})");

  /**
   * What the leader sees of the members.
   *
   * @param responsive the members (voters and learners, the leader included) that answered the leader
   *     recently
   * @param progress each member's commit index as the leader knows it (the leader's own included)
   * @param commitIndex the leader's commit index
   * @param maxLag most entries a learner may be behind the leader's commit index to be promoted
   */
  public record View(Set<String> responsive, Map<String, Long> progress, long commitIndex, long maxLag) {
    public View {
      responsive = Set.copyOf(responsive);
      progress = Map.copyOf(progress);
    }
  }

  /** The outcome of a check. */
  public enum Kind {
    /** Safe: propose {@link Decision#next()}. */
    CHANGE,
    /** The configuration already is as asked. */
    NO_CHANGE,
    /** Unsafe or invalid; the message says why. */
    REFUSED,
    /** Another change is being committed. */
    IN_PROGRESS
  }

  /**
   * @param next the configuration to propose (for CHANGE), else the current one
   * @param message why, for REFUSED and IN_PROGRESS
   */
  public record Decision(Kind kind, Configuration next, String message) {}

  private MembershipRules() {}

  /** Adds {@code candidate} as a learner. */
  public static Decision addLearner(Configuration current, MemberEntry candidate, View view) {
    Optional<Decision> early = common(current, view);
    if (early.isPresent()) {
      return early.get();
    }
    if (!MEMBER_ID.matcher(candidate.id()).matches()) {
      return refused(current, "member id '" + candidate.id() + "' must be 1-64 letters, digits, '-' or '_'");
    }
    for (String address : List.of(candidate.raftAddress(), candidate.clientAddress())) {
      if (!isAddress(address)) {
        return refused(current, "'" + address + "' is not a host:port address");
      }
    }
    if (candidate.raftAddress().equals(candidate.clientAddress())) {
      return refused(current, "the Raft and client addresses must differ (both " + candidate.raftAddress() + ")");
    }
    Optional<MemberEntry> existing = current.member(candidate.id());
    if (existing.isPresent()) {
      if (existing.get().sameAddresses(candidate)) {
        return new Decision(Kind.NO_CHANGE, current, "");
      }
      return refused(current, candidate.id() + " is already a member (raft " + existing.get().raftAddress()
          + ", client " + existing.get().clientAddress() + "); remove it first to change its addresses");
    }
    for (MemberEntry member : current.all()) {
      for (String address : List.of(candidate.raftAddress(), candidate.clientAddress())) {
        if (address.equals(member.raftAddress()) || address.equals(member.clientAddress())) {
          return refused(current, "address " + address + " is already used by member " + member.id());
        }
      }
    }
    List<MemberEntry> learners = new ArrayList<>(current.learners());
    learners.add(new MemberEntry(candidate.id(), candidate.raftAddress(), candidate.clientAddress(), false));
    return change(current, current.voters(), learners);
  }

  /** Makes learner {@code id} a voter. */
  public static Decision promote(Configuration current, String id, View view) {
    Optional<Decision> early = common(current, view);
    if (early.isPresent()) {
      return early.get();
    }
    Optional<MemberEntry> member = current.member(id);
    if (member.isEmpty()) {
      return refused(current, id + " is not a member (" + current.describe() + ")");
    }
    if (member.get().voter()) {
      return new Decision(Kind.NO_CHANGE, current, "");
    }
    if (!view.responsive().contains(id)) {
      return refused(current, id + " does not answer the leader: it cannot vote before it does");
    }
    long behind = view.commitIndex() - view.progress().getOrDefault(id, 0L);
    if (behind > view.maxLag()) {
      return refused(current, id + " is " + behind + " entries behind the leader (at most " + view.maxLag()
          + " to become a voter): wait for it to catch up, `quorumkv status` shows its progress");
    }
    List<MemberEntry> voters = new ArrayList<>(current.voters());
    voters.add(member.get().asVoter());
    List<MemberEntry> learners = current.learners().stream().filter(m -> !m.id().equals(id)).toList();
    Optional<String> quorum = quorumOf(voters, view, "with " + id + " as a voter");
    return quorum.isPresent() ? refused(current, quorum.get()) : change(current, voters, learners);
  }

  /** Removes member {@code id}, a voter or a learner. */
  public static Decision remove(Configuration current, String id, View view, int minVoters) {
    Optional<Decision> early = common(current, view);
    if (early.isPresent()) {
      return early.get();
    }
    Optional<MemberEntry> member = current.member(id);
    if (member.isEmpty()) {
      return refused(current, id + " is not a member (" + current.describe() + ")");
    }
    if (!member.get().voter()) {
      return change(current, current.voters(), current.learners().stream().filter(m -> !m.id().equals(id)).toList());
    }
    List<MemberEntry> voters = current.voters().stream().filter(m -> !m.id().equals(id)).toList();
    if (voters.size() < minVoters) {
      return refused(current, "removing " + id + " would leave " + voters.size() + " voting member"
          + (voters.size() == 1 ? "" : "s") + ", fewer than membership.min-voters (" + minVoters
          + "): add its replacement first");
    }
    Optional<String> quorum = quorumOf(voters, view, "without " + id);
    return quorum.isPresent() ? refused(current, quorum.get()) : change(current, voters, current.learners());
  }

  /** The rules every change shares: one at a time, and a current quorum to commit it. */
  private static Optional<Decision> common(Configuration current, View view) {
    if (current.changing()) {
      return Optional.of(new Decision(Kind.IN_PROGRESS, current, "a membership change is being committed"
          + " (configuration entry " + current.index() + "); retry once it is done"));
    }
    return quorumOf(current.voters(), view, "now").map(message -> refused(current, message));
  }

  /** Why {@code voters} would have no responsive majority, if they would not. */
  private static Optional<String> quorumOf(List<MemberEntry> voters, View view, String when) {
    if (voters.isEmpty()) {
      return Optional.of("the cluster would have no voting member");
    }
    List<String> answering = voters.stream().map(MemberEntry::id).filter(view.responsive()::contains).toList();
    int majority = voters.size() / 2 + 1;
    if (answering.size() >= majority) {
      return Optional.empty();
    }
    return Optional.of("no quorum " + when + ": " + answering.size() + " of the " + voters.size()
        + " voting members " + voters.stream().map(MemberEntry::id).toList() + " answer the leader"
        + (answering.isEmpty() ? "" : " " + answering) + ", " + majority + " are needed");
  }

  private static boolean isAddress(String address) {
    var m = ADDRESS.matcher(address);
    if (!m.matches()) {
      return false;
    }
    int port = Integer.parseInt(m.group(1));
    return port >= 1 && port <= 65_535;
  }

  private static Decision change(Configuration current, List<MemberEntry> voters, List<MemberEntry> learners) {
    return new Decision(Kind.CHANGE, new Configuration(sorted(voters), sorted(learners), current.index(), false), "");
  }

  private static List<MemberEntry> sorted(List<MemberEntry> members) {
    return members.stream().sorted(java.util.Comparator.comparing(MemberEntry::id)).toList();
  }

  private static Decision refused(Configuration current, String message) {
    return new Decision(Kind.REFUSED, current, message);
  }
}
