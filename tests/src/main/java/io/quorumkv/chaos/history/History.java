package io.quorumkv.chaos.history;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * An immutable, complete history: every operation of a run, ordered by id (which is invocation order),
 * and every re-send of an earlier increment, ordered by the time it was sent.
 *
 * @param originNanos monotonic time of the start of the run; times in reports are relative to it
 * @param operations the operations, ordered by id
 * @param resends the re-sends, ordered by invocation time; empty unless the run re-sent increments
 */
public record History(long originNanos, List<Operation> operations, List<Resend> resends) {

  public History {
    operations = operations.stream().sorted(Comparator.comparingLong(Operation::id)).toList();
    resends = resends.stream().sorted(Comparator.comparingLong(Resend::invokeNanos)).toList();
  }

  /** A history without re-sends. */
  public History(long originNanos, List<Operation> operations) {
    this(originNanos, operations, List.of());
  }

  /** Operations with the given outcome. */
  public List<Operation> withOutcome(Outcome outcome) {
    return filter(op -> op.outcome() == outcome);
  }

  public List<Operation> filter(Predicate<Operation> predicate) {
    return operations.stream().filter(predicate).toList();
  }

  /** Count of operations per outcome (every outcome present, possibly 0). */
  public Map<Outcome, Long> countByOutcome() {
    Map<Outcome, Long> counts = operations.stream()
        .collect(Collectors.groupingBy(Operation::outcome, () -> new java.util.EnumMap<>(Outcome.class),
            Collectors.counting()));
    for (Outcome o : Outcome.values()) {
      counts.putIfAbsent(o, 0L);
    }
    return counts;
  }
}
