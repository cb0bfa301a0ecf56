package io.quorumkv.chaos;

import io.quorumkv.chaos.nemesis.NemesisAction;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What a chaos run does.
 *
 * @param duration how long clients run and the nemesis acts
 * @param seed seeds every random choice of the run (operations, keys, victims, down times)
 * @param clients number of concurrent clients
 * @param registerKeys number of shared register keys; there are half as many counter keys (at least one)
 * @param nemesis the fault schedule, cycled in order; empty for none
 * @param interval time between the starts of two faults
 * @param resend whether clients send their counter increments through the raw gRPC stubs with their own
 *     WriteIds and re-send them (unknown ones until answered, acknowledged ones a few times), checked by
 *     the exactly-once checker
 */
public record ChaosSettings(Duration duration, long seed, int clients, int registerKeys,
    List<NemesisAction> nemesis, Duration interval, boolean resend) {

  /** Defaults: leader kills are half of every cycle, as they are what users worry about most. */
  public static final List<NemesisAction> DEFAULT_NEMESIS = List.of(NemesisAction.LEADER_KILL,
      NemesisAction.FOLLOWER_KILL, NemesisAction.LEADER_KILL, NemesisAction.PAUSE, NemesisAction.LEADER_KILL,
      NemesisAction.COMBINED);

  public ChaosSettings {
    nemesis = List.copyOf(nemesis);
    if (duration.isNegative() || duration.isZero() || clients < 1 || registerKeys < 1) {
      throw new IllegalArgumentException("duration, clients and keys must be positive");
    }
    if (interval.toMillis() < 3_000) {
      throw new IllegalArgumentException("interval must be at least 3 s (a fault lasts up to 2 s)");
    }
  }

  /** Settings without resend mode. */
  public ChaosSettings(Duration duration, long seed, int clients, int registerKeys, List<NemesisAction> nemesis,
      Duration interval) {
    this(duration, seed, clients, registerKeys, nemesis, interval, false);
  }

  public int counterKeys() {
    return Math.max(1, registerKeys / 2);
  }

  public String describe() {
    return "seed " + seed + ", " + duration.toSeconds() + " s, " + clients + " clients, " + registerKeys
        + " register + " + counterKeys() + " counter keys, nemesis " + (nemesis.isEmpty() ? "none"
        : nemesis.stream().map(NemesisAction::cliName).collect(Collectors.joining(","))) + " every "
        + interval.toSeconds() + " s" + (resend ? ", increments re-sent with their WriteIds" : "");
  }
}
