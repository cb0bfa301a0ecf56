package io.quorumkv.chaos.checker;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Finds a small sub-history of a non-linearizable key history that is still not linearizable, so that a
 * report shows the few operations that matter instead of thousands.
 *
 * <p>First the history is cut at the earliest completion time at which it already fails (operations
 * still running at the cut keep only their call: their outcome becomes unknown, reads among them are
 * dropped; a cut history fails whenever a shorter one does, so a binary search finds it). Then operations
 * are removed in ever smaller chunks while the rest still fails (delta debugging), until no single
 * operation can be removed or the time budget is spent. A removal keeps the provenance of every value
 * that remains observed: the write of a value read, and the INCR that returned it, so that a stale read
 * is shown with the writes it went behind rather than as a read of a value nobody wrote.
 */
final class HistoryShrinker {
  private final Predicate<List<KeyOp>> fails;
  private final LongSupplier clock;
  private final long budgetNanos;

  /**
   * @param fails true if the given history is certainly not linearizable
   * @param clock monotonic nanos, for the budget
   * @param budgetNanos time after which the smallest history found so far is returned
   */
  HistoryShrinker(Predicate<List<KeyOp>> fails, LongSupplier clock, long budgetNanos) {
    this.fails = fails;
    this.clock = clock;
    this.budgetNanos = budgetNanos;
  }

  /** A failing sub-history of {@code ops}, which must fail. */
  List<KeyOp> shrink(List<KeyOp> ops) {
    long deadline = clock.getAsLong() + budgetNanos;
    List<KeyOp> current = earliestFailingCut(ops);
    int chunk = Math.max(1, current.size() / 2);
    while (clock.getAsLong() < deadline) {
      boolean removed = false;
      for (int start = 0; start < current.size() && clock.getAsLong() < deadline; ) {
        List<KeyOp> rest = new ArrayList<>(current.subList(0, start));
        rest.addAll(current.subList(Math.min(current.size(), start + chunk), current.size()));
        List<KeyOp> candidate = withProvenance(rest, current);
        if (!candidate.isEmpty() && candidate.size() < current.size() && fails.test(candidate)) {
          current = candidate;
          removed = true;
        } else {
          start += chunk;
        }
      }
      if (!removed) {
        if (chunk == 1) {
          break;
        }
        chunk /= 2;
      }
    }
    return current;
  }

  /** {@code kept} plus, from {@code all}, the operations that produced the values {@code kept} observes. */
  private static List<KeyOp> withProvenance(List<KeyOp> kept, List<KeyOp> all) {
    Set<KeyOp> result = new LinkedHashSet<>(kept);
    Deque<String> needed = new ArrayDeque<>();
    kept.forEach(op -> needed.addAll(observed(op)));
    Set<String> seen = new HashSet<>();
    while (!needed.isEmpty()) {
      String value = needed.pop();
      if (!seen.add(value)) {
        continue;
      }
      for (KeyOp op : all) {
        boolean produces = (op.kind() == KeyOp.Kind.WRITE || op.kind() == KeyOp.Kind.RMW && op.definite())
            && value.equals(op.value());
        if (produces && result.add(op)) {
          needed.addAll(observed(op));
        }
      }
    }
    List<KeyOp> ordered = new ArrayList<>(all);
    ordered.retainAll(result);
    return ordered;
  }

  /** The values an operation's recorded result shows were present before it. */
  private static List<String> observed(KeyOp op) {
    if (!op.definite() || op.value() == null) {
      return List.of();
    }
    return switch (op.kind()) {
      case READ -> List.of(op.value());
      case RMW -> {
        long before = Long.parseLong(op.value()) - op.delta();
        yield before == 0 ? List.of() : List.of(Long.toString(before));
      }
      default -> List.of();
    };
  }

  private List<KeyOp> earliestFailingCut(List<KeyOp> ops) {
    long[] times = ops.stream().filter(KeyOp::definite).mapToLong(KeyOp::completeNanos).sorted().distinct()
        .toArray();
    if (times.length == 0) {
      return ops;
    }
    int lo = 0;
    int hi = times.length - 1; // cutting at the last completion keeps everything that matters
    if (!fails.test(cut(ops, times[hi]))) {
      return ops;
    }
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (fails.test(cut(ops, times[mid]))) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return cut(ops, times[lo]);
  }

  /** The history as an observer would have recorded it at time {@code t}. */
  static List<KeyOp> cut(List<KeyOp> ops, long t) {
    List<KeyOp> cut = new ArrayList<>();
    for (KeyOp op : ops) {
      if (op.invokeNanos() > t) {
        continue;
      }
      if (op.definite() && op.completeNanos() <= t) {
        cut.add(op);
      } else if (op.kind() != KeyOp.Kind.READ) {
        cut.add(op.asUnknown());
      }
    }
    return cut;
  }
}
