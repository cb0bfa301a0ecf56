package io.quorumkv.chaos.nemesis;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** The faults a {@link Nemesis} can inject, by their command-line names. */
public enum NemesisAction {
  /** SIGKILL the leader; restart it after a short down time. */
  LEADER_KILL("leader-kill"),
  /** SIGKILL a follower; restart it after a short down time. */
  FOLLOWER_KILL("follower-kill"),
  /** SIGSTOP any member (the leader included); SIGCONT it after a short pause. */
  PAUSE("pause"),
  /**
   * SIGSTOP a follower and SIGKILL the leader together, so that no majority is left until the follower
   * resumes; then restart the old leader.
   */
  COMBINED("combined"),
  /**
   * SIGKILL every member at once (the leader first), then restart them all after a short down time:
   * nothing survives but what each member had on disk.
   */
  CLUSTER_RESTART("cluster-restart");

  private final String cliName;

  NemesisAction(String cliName) {
    this.cliName = cliName;
  }

  public String cliName() {
    return cliName;
  }

  /**
   * Parses a comma-separated list such as {@code leader-kill,pause,leader-kill}; order and repetitions
   * are kept (they make the schedule).
   *
   * @throws IllegalArgumentException naming the valid names if one is unknown or the list is empty
   */
  public static List<NemesisAction> parseList(String text) {
    List<NemesisAction> actions = Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty())
        .map(NemesisAction::parse).toList();
    if (actions.isEmpty()) {
      throw new IllegalArgumentException("no nemesis action given");
    }
    return actions;
  }

  private static NemesisAction parse(String name) {
    return Arrays.stream(values()).filter(a -> a.cliName.equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown nemesis action '" + name + "'; valid: "
            + Arrays.stream(values()).map(NemesisAction::cliName).collect(Collectors.joining(", "))));
  }
}
