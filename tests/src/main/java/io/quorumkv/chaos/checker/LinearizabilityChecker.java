package io.quorumkv.chaos.checker;

import io.quorumkv.chaos.history.History;
import io.quorumkv.chaos.history.Operation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Checks that each key's history is linearizable as a register with put, get, delete, INCR as
 * read-modify-write and batches as per-key writes (see {@link KeyHistories} for the modelling and
 * {@link WglSearch} for the search). Acknowledged operations must take effect between invocation and
 * completion with the result they returned; operations of unknown outcome may take effect at any time
 * after invocation, or never. Every violation comes with a shrunk sub-history that is itself not
 * linearizable. A key whose search exceeds its budget is reported as a violation too (the check could not
 * vouch for it), with the word "inconclusive".
 */
public final class LinearizabilityChecker {
  public static final String NAME = "linearizability";
  private static final long SHRINK_STEP_BUDGET = 2_000_000;

  private final long stepBudgetPerKey;
  private final long shrinkBudgetNanos;

  /**
   * @param stepBudgetPerKey search steps allowed per key before the key is reported inconclusive
   * @param shrinkBudgetMillis time allowed to shrink each violation's evidence
   */
  public LinearizabilityChecker(long stepBudgetPerKey, long shrinkBudgetMillis) {
    this.stepBudgetPerKey = stepBudgetPerKey;
    this.shrinkBudgetNanos = TimeUnit.MILLISECONDS.toNanos(shrinkBudgetMillis);
  }

  /** Generous defaults: 20 million steps per key, 10 s of shrinking per violation. */
  public LinearizabilityChecker() {
    this(20_000_000, 10_000);
  }

  public CheckResult check(History history) {
    Map<String, List<KeyOp>> byKey = KeyHistories.of(history);
    List<Violation> violations = new ArrayList<>();
    for (Map.Entry<String, List<KeyOp>> e : byKey.entrySet()) {
      String key = e.getKey();
      List<KeyOp> ops = e.getValue();
      switch (new WglSearch(ops, stepBudgetPerKey).run()) {
        case LINEARIZABLE -> { }
        case INCONCLUSIVE -> violations.add(new Violation(NAME, key,
            "inconclusive: the search over " + ops.size() + " operations exceeded " + stepBudgetPerKey
                + " steps", List.of()));
        case NOT_LINEARIZABLE -> {
          HistoryShrinker shrinker = new HistoryShrinker(
              h -> new WglSearch(h, SHRINK_STEP_BUDGET).run() == WglSearch.Verdict.NOT_LINEARIZABLE,
              System::nanoTime, shrinkBudgetNanos);
          List<Operation> evidence = shrinker.shrink(ops).stream().map(KeyOp::source).distinct()
              .sorted(Comparator.comparingLong(Operation::invokeNanos)).toList();
          violations.add(new Violation(NAME, key, "not linearizable: no order of its " + ops.size()
              + " operations respects real time and the register model; these " + evidence.size()
              + " already have none", evidence));
        }
      }
    }
    return new CheckResult(NAME, byKey.size(), violations, List.of());
  }
}
