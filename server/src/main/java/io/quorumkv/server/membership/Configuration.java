package io.quorumkv.server.membership;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The membership as one Raft configuration entry holds it.
 *
 * @param voters voting members, sorted by id
 * @param learners learners, sorted by id
 * @param index log index of the configuration entry
 * @param changing true while the entry is a joint (old + new) configuration being committed; voters and
 *     learners are then the new configuration's
 */
public record Configuration(List<MemberEntry> voters, List<MemberEntry> learners, long index, boolean changing) {

  public Configuration {
    voters = List.copyOf(voters);
    learners = List.copyOf(learners);
  }

  /** Voters first, then learners. */
  public List<MemberEntry> all() {
    List<MemberEntry> all = new ArrayList<>(voters);
    all.addAll(learners);
    return all;
  }

  public Optional<MemberEntry> member(String id) {
    return Stream.concat(voters.stream(), learners.stream()).filter(m -> m.id().equals(id)).findFirst();
  }

  public Set<String> voterIds() {
    return voters.stream().map(MemberEntry::id).collect(Collectors.toUnmodifiableSet());
  }

  /** "n1, n2, n3 (voters); n4 (learner)" for messages. */
  public String describe() {
    String v = voters.stream().map(MemberEntry::id).collect(Collectors.joining(", "));
    String l = learners.stream().map(MemberEntry::id).collect(Collectors.joining(", "));
    return (v.isEmpty() ? "no voters" : v + " (voters)") + (l.isEmpty() ? "" : "; " + l + " (learners)");
  }
}
