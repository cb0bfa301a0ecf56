package io.quorumkv.server.config;

/**
 * Rules for membership changes (see the Cluster service's AddMember / RemoveMember).
 *
 * @param minVoters a removal that would leave fewer voting members is refused; 0 means the default: as
 *                  many as the cluster file lists, at most 3
 */
public record MembershipSettings(int minVoters) {

  public static final MembershipSettings DEFAULTS = new MembershipSettings(0);

  public MembershipSettings {
    if (minVoters < 0) {
      throw new ConfigException("membership.min-voters must be at least 1 (or 0 for the default)");
    }
  }

  /** The effective minimum for a cluster file that lists {@code fileNodes} members. */
  public int minVotersFor(int fileNodes) {
    return minVoters > 0 ? minVoters : Math.min(3, fileNodes);
  }
}
