package io.quorumkv.server.health;

import io.quorumkv.statemachine.search.IndexStats;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether a member can serve its clients, judged from what it observes of itself: a pure function, so
 * that every rule can be checked without a cluster.
 *
 * <p>A member serves key-value requests only if it is in contact with a working quorum (a leader that
 * heard from a majority recently, or a follower that heard from its leader recently) and has applied
 * what it knows to be committed, within a small lag; it serves searches only if, in addition, every index
 * is READY and has indexed what it applied, within a small lag.
 */
public final class HealthRules {

  /**
   * What a member sees of itself at one moment.
   *
   * @param role Raft role
   * @param leaderKnown whether the member knows a leader (always, for the leader itself)
   * @param leaderContactMs follower: time since it last heard from the leader
   * @param followerContactMs leader: time since each follower last answered it
   * @param voters voting members of the group, the leader included
   * @param commitIndex the commit index the member knows
   * @param appliedIndex the state machine's applied index
   * @param indexPosition every applied entry up to it is in the search indexes
   * @param indexes the member's search indexes
   */
  public record Observation(Role role, boolean leaderKnown, long leaderContactMs, List<Long> followerContactMs,
      int voters, long commitIndex, long appliedIndex, long indexPosition, List<IndexStats> indexes) {

    public Observation {
      followerContactMs = List.copyOf(followerContactMs);
      indexes = List.copyOf(indexes);
    }
  }

  /** A member's Raft role, as far as health is concerned. */
  public enum Role { LEADER, FOLLOWER, CANDIDATE, LEARNER, OTHER }

  /**
   * The limits the rules apply.
   *
   * @param contactMs longest silence between a follower and its leader (either way) that still counts as contact
   * @param maxApplyLag most committed entries a serving member may have left to apply
   * @param maxIndexLag most applied entries a member serving searches may have left to index
   */
  public record Limits(long contactMs, long maxApplyLag, long maxIndexLag) {}

  /**
   * The verdict.
   *
   * @param kvReasons why key-value requests cannot be served; empty if they can
   * @param searchReasons why searches cannot be served (the kv reasons, then the indexes'); empty if they can
   * @param kvDelaysOnly whether every kv reason is a measured delay over its limit (a silence, an apply
   *     lag), which can be momentary under load; false if one is a state (no leader, a learner, removed)
   * @param searchDelaysOnly the same for the search reasons (an index lag is a delay; an index that is
   *     not READY is a state)
   */
  public record Verdict(List<String> kvReasons, List<String> searchReasons, boolean kvDelaysOnly,
      boolean searchDelaysOnly) {

    public Verdict {
      kvReasons = List.copyOf(kvReasons);
      searchReasons = List.copyOf(searchReasons);
    }

    public static final Verdict STARTING = notServing("starting");

    /** Serves nothing, for a reason that is a state. */
    public static Verdict notServing(String reason) {
      return new Verdict(List.of(reason), List.of(reason), false, false);
    }

    public boolean servesKv() {
      return kvReasons.isEmpty();
    }

    /** Everything: key-value requests and searches. */
    public boolean serving() {
      return searchReasons.isEmpty();
    }
  }

  private HealthRules() {}

  public static Verdict judge(Observation o, Limits limits) {
    List<String> kv = new ArrayList<>();
    boolean kvState = false;
    switch (o.role()) {
      case LEADER -> {
        long inContact = 1 + o.followerContactMs().stream().filter(ms -> ms <= limits.contactMs()).count();
        int majority = o.voters() / 2 + 1;
        if (inContact < majority) {
          kv.add("leader in contact with " + inContact + " of " + o.voters() + " voting members (a majority is "
              + majority + ")");
        }
      }
      case FOLLOWER -> {
        if (!o.leaderKnown()) {
          kv.add("no leader known");
          kvState = true;
        } else if (o.leaderContactMs() > limits.contactMs()) {
          kv.add("no word from the leader for " + o.leaderContactMs() + " ms");
        }
      }
      case CANDIDATE -> {
        kv.add("no leader known: electing one");
        kvState = true;
      }
      case LEARNER -> {
        kv.add("a learner: catching up, not a voting member yet");
        kvState = true;
      }
      case OTHER -> {
        kv.add("not a member of the cluster's configuration (a member started with --join waits"
            + " to be added)");
        kvState = true;
      }
    }
    long applyLag = o.commitIndex() - o.appliedIndex();
    if (applyLag > limits.maxApplyLag()) {
      kv.add("applied index " + o.appliedIndex() + " is " + applyLag + " entries behind the commit index "
          + o.commitIndex());
    }
    List<String> search = new ArrayList<>(kv);
    boolean searchState = kvState;
    for (IndexStats index : o.indexes()) {
      if (index.state() != IndexStats.State.READY) {
        String name = index.definition().getSpec().getName();
        search.add("index " + name + " is " + index.state()
            + (index.state() == IndexStats.State.FAILED ? ": " + index.failure() : ""));
        searchState = true;
      }
    }
    long indexLag = o.appliedIndex() - o.indexPosition();
    if (!o.indexes().isEmpty() && indexLag > limits.maxIndexLag()) {
      search.add("search indexes are " + indexLag + " log entries behind the applied index");
    }
    return new Verdict(kv, search, !kvState, !searchState);
  }
}
