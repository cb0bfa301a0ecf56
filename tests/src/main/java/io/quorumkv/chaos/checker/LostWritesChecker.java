package io.quorumkv.chaos.checker;

import io.quorumkv.chaos.history.History;
import io.quorumkv.chaos.history.KeyWrite;
import io.quorumkv.chaos.history.OpType;
import io.quorumkv.chaos.history.Operation;
import io.quorumkv.chaos.history.Outcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Checks writes of unique keys (each written once, by a put or by a batch) against the keys found after
 * the run:
 * <ul>
 *   <li>{@value #LOST}: an acknowledged write is absent or holds another value;
 *   <li>{@value #PHANTOM}: a key holds a value that no write with an OK or unknown outcome wrote (never
 *       written, or written by a write reported as failed);
 *   <li>{@value #PARTIAL_BATCH}: some but not all unique keys of one batch are present.
 * </ul>
 * The final state must be read after the cluster has healed, with a linearizable read, and must hold every
 * unique key present in the store.
 */
public final class LostWritesChecker {
  public static final String NAME = "lost-writes";
  public static final String LOST = "lost-write";
  public static final String PHANTOM = "phantom-write";
  public static final String PARTIAL_BATCH = "partial-batch";

  private final Predicate<String> isUniqueKey;

  /** @param isUniqueKey true for the keys the workload writes exactly once */
  public LostWritesChecker(Predicate<String> isUniqueKey) {
    this.isUniqueKey = isUniqueKey;
  }

  /**
   * @param history the run's history
   * @param finalState every unique key present after the run, with its value
   */
  public CheckResult check(History history, Map<String, String> finalState) {
    Map<String, List<Operation>> writesByKey = new HashMap<>();
    Map<String, String> valueWritten = new HashMap<>();
    List<Operation> batches = new ArrayList<>();
    for (Operation op : history.operations()) {
      for (KeyWrite w : uniqueWrites(op)) {
        writesByKey.computeIfAbsent(w.key(), k -> new ArrayList<>()).add(op);
        valueWritten.put(w.key() + "\u0000" + op.id(), w.value());
      }
      if (op.type() == OpType.BATCH && !uniqueWrites(op).isEmpty()) {
        batches.add(op);
      }
    }
    List<Violation> violations = new ArrayList<>();
    long checked = 0;
    for (Map.Entry<String, List<Operation>> e : writesByKey.entrySet()) {
      String key = e.getKey();
      for (Operation op : e.getValue()) {
        String written = valueWritten.get(key + "\u0000" + op.id());
        checked++;
        if (op.outcome() == Outcome.OK && !Objects.equals(finalState.get(key), written)) {
          violations.add(new Violation(LOST, key, "acknowledged write of " + written + " is "
              + (finalState.containsKey(key) ? "replaced by " + finalState.get(key) : "missing"), List.of(op)));
        }
      }
    }
    for (Map.Entry<String, String> e : finalState.entrySet()) {
      List<Operation> writes = writesByKey.getOrDefault(e.getKey(), List.of());
      boolean explained = writes.stream().anyMatch(op -> op.outcome() != Outcome.FAIL
          && e.getValue().equals(valueWritten.get(e.getKey() + "\u0000" + op.id())));
      if (!explained) {
        violations.add(new Violation(PHANTOM, e.getKey(), "holds " + e.getValue()
            + (writes.isEmpty() ? ", but nothing was written to it" : ", which no write that may have taken "
            + "effect wrote"), writes));
      }
    }
    for (Operation batch : batches) {
      List<KeyWrite> writes = uniqueWrites(batch);
      long present = writes.stream().filter(w -> finalState.containsKey(w.key())).count();
      if (present != 0 && present != writes.size()) {
        violations.add(new Violation(PARTIAL_BATCH, null, "batch applied in part: " + present + " of "
            + writes.size() + " unique keys present", List.of(batch)));
      }
    }
    return new CheckResult(NAME, checked, violations, List.of());
  }

  private List<KeyWrite> uniqueWrites(Operation op) {
    return switch (op.type()) {
      case PUT -> isUniqueKey.test(op.key()) ? List.of(new KeyWrite(op.key(), op.value())) : List.of();
      case BATCH -> op.writes().stream().filter(w -> !w.isDelete() && isUniqueKey.test(w.key())).toList();
      default -> List.of();
    };
  }
}
