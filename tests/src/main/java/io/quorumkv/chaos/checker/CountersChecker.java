package io.quorumkv.chaos.checker;

import io.quorumkv.chaos.history.History;
import io.quorumkv.chaos.history.OpType;
import io.quorumkv.chaos.history.Operation;
import io.quorumkv.chaos.history.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Checks keys written only by INCR: the final value must lie between the sum of the acknowledged deltas
 * plus every unknown delta that lowers it and the same sum plus every unknown delta that raises it (with
 * the workload's deltas of +1: within [acked, acked + unknown]). Below means an acknowledged increment
 * was lost; above means some increment was applied twice, or one reported failed was applied.
 */
public final class CountersChecker {
  public static final String NAME = "counters";

  private final Predicate<String> isCounterKey;

  /** @param isCounterKey true for keys that only INCR writes */
  public CountersChecker(Predicate<String> isCounterKey) {
    this.isCounterKey = isCounterKey;
  }

  /**
   * @param history the run's history
   * @param finalValues the value of each counter key after the run; a key missing from the map is absent
   */
  public CheckResult check(History history, Map<String, String> finalValues) {
    Map<String, long[]> bounds = new TreeMap<>(); // key -> {acked, unknown low, unknown high, acked count, unknown count}
    for (Operation op : history.operations()) {
      if (op.type() != OpType.INCR || !isCounterKey.test(op.key()) || op.outcome() == Outcome.FAIL) {
        continue;
      }
      long[] b = bounds.computeIfAbsent(op.key(), k -> new long[5]);
      if (op.outcome() == Outcome.OK) {
        b[0] += op.delta();
        b[3]++;
      } else {
        b[1] += Math.min(0, op.delta());
        b[2] += Math.max(0, op.delta());
        b[4]++;
      }
    }
    List<Violation> violations = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    for (Map.Entry<String, long[]> e : bounds.entrySet()) {
      String key = e.getKey();
      long[] b = e.getValue();
      long low = b[0] + b[1];
      long high = b[0] + b[2];
      String text = finalValues.get(key);
      String range = "[" + low + ", " + high + "] (" + b[3] + " acknowledged, " + b[4] + " unknown increments)";
      notes.add(key + " = " + text + " in " + range);
      Long value = counterValue(text);
      if (value == null || value < low || value > high) {
        violations.add(new Violation(NAME, key, "final value " + text + " outside " + range, List.of()));
      }
    }
    return new CheckResult(NAME, bounds.size(), violations, notes);
  }

  /** A counter's final value as INCR sees it (absent is 0); null if the text is not an integer. */
  static Long counterValue(String text) {
    if (text == null) {
      return 0L; // absent counts as 0, as INCR treats it
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
