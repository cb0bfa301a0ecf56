package io.quorumkv.chaos.checker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks that every member holds the same key space once writes have stopped and every member has
 * applied the last write: all digests present and equal.
 */
public final class ConvergenceChecker {
  public static final String NAME = "convergence";

  private ConvergenceChecker() {}

  /** @param digests per member id, its digest, or empty if it could not be read */
  public static CheckResult check(Map<String, Optional<ReplicaDigest>> digests) {
    List<Violation> violations = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    digests.forEach((member, d) -> notes.add(member + ": " + d.map(x -> x.keys() + " keys, sha256 "
        + x.sha256().substring(0, 16)).orElse("unreadable")));
    if (digests.values().stream().anyMatch(Optional::isEmpty)) {
      violations.add(new Violation(NAME, null, "some members could not be read: " + notes, List.of()));
    } else if (digests.values().stream().map(Optional::get).distinct().count() > 1) {
      violations.add(new Violation(NAME, null, "members hold different data: " + notes, List.of()));
    }
    return new CheckResult(NAME, digests.size(), violations, notes);
  }
}
