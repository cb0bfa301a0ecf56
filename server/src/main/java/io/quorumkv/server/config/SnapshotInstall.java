package io.quorumkv.server.config;

/**
 * How a member that fell behind the leader's log gets the leader's state ({@code log.snapshot-install}).
 * Must be the same on every member (Ratis refuses installs between members that disagree).
 */
public enum SnapshotInstall {
  /**
   * Ratis streams the leader's latest snapshot files to the member. Proven under the chaos tests; the
   * leader's heap briefly holds up to about the snapshot's size (D1 in docs/chaos.md).
   */
  LEADER_SENDS("leader-sends"),
  /**
   * The member copies a fresh checkpoint from the leader's client port over the Backup stream (Ratis'
   * notification mode): bounded memory on both sides whatever the size. Experimental: a member whose own
   * log runs past the start of the leader's log can wait forever for Ratis to finish the install (D8).
   */
  MEMBER_FETCHES("member-fetches");

  private final String configName;

  SnapshotInstall(String configName) {
    this.configName = configName;
  }

  public String configName() {
    return configName;
  }

  /** The value for a config name, or a {@link ConfigException} naming the allowed ones. */
  public static SnapshotInstall fromConfig(String name) {
    for (SnapshotInstall mode : values()) {
      if (mode.configName.equals(name)) {
        return mode;
      }
    }
    throw new ConfigException("log.snapshot-install must be leader-sends or member-fetches, not '" + name + "'");
  }
}
