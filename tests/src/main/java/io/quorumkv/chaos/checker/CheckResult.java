package io.quorumkv.chaos.checker;

import java.util.List;

/**
 * What one checker concluded.
 *
 * @param checker the checker's name
 * @param checked how many items it checked (keys, writes, counters, members: see the checker)
 * @param violations everything it found wrong; empty when the check passed
 * @param notes facts worth reporting that are not violations (e.g. counts)
 */
public record CheckResult(String checker, long checked, List<Violation> violations, List<String> notes) {
  public CheckResult {
    violations = List.copyOf(violations);
    notes = List.copyOf(notes);
  }

  public boolean passed() {
    return violations.isEmpty();
  }
}
