package io.quorumkv.chaos.checker;

import io.quorumkv.chaos.history.Operation;
import java.util.List;

/**
 * Something a checker found wrong, with the operations that show it.
 *
 * @param checker name of the checker that found it
 * @param key the key concerned, or null when it concerns no single key
 * @param description what is wrong, in one sentence
 * @param evidence the smallest set of operations found that shows the problem (may be empty, e.g. for
 *     replicas that diverge)
 */
public record Violation(String checker, String key, String description, List<Operation> evidence) {
  public Violation {
    evidence = List.copyOf(evidence);
  }
}
