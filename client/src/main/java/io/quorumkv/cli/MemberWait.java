package io.quorumkv.cli;

import java.time.Duration;

/** The --wait option of the membership commands. */
final class MemberWait {
  private MemberWait() {}

  static Duration of(double seconds) {
    if (!(seconds > 0)) {
      throw new IllegalArgumentException("--wait must be positive");
    }
    return Duration.ofMillis(Math.round(seconds * 1000));
  }
}
