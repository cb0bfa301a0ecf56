package io.quorumkv.chaos.checker;

import io.quorumkv.chaos.history.History;
import io.quorumkv.chaos.history.KeyWrite;
import io.quorumkv.chaos.history.Operation;
import io.quorumkv.chaos.history.Outcome;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Splits a history into one register history per key (linearizability is local: a history is
 * linearizable iff each key's projection is).
 *
 * <p>Batches are modelled per key: a batch becomes, for each key it writes, one write (its last write to
 * that key) with the batch's interval. This checks every key a batch touches but not the batch's
 * atomicity across keys; {@link LostWritesChecker} checks that, on the batches' unique keys.
 *
 * <p>Dropped: failed operations (they had no effect) and reads whose outcome is not OK (they observed
 * nothing). Also dropped, on keys without INCR: writes of unknown outcome whose value no read returned. Such
 * a write, if applied, sets a value nobody saw, so some other write must overwrite it before the next
 * read; leaving it out can only remove constraints the search would have to satisfy, never add one, and
 * keeps a long run's unknown writes from multiplying the search space.
 */
final class KeyHistories {
  private KeyHistories() {}

  static Map<String, List<KeyOp>> of(History history) {
    Map<String, List<KeyOp>> byKey = new LinkedHashMap<>();
    for (Operation op : history.operations()) {
      if (op.outcome() == Outcome.FAIL) {
        continue;
      }
      boolean definite = op.outcome() == Outcome.OK;
      switch (op.type()) {
        case PUT -> add(byKey, op.key(), op, KeyOp.Kind.WRITE, op.value(), 0, definite);
        case DELETE -> add(byKey, op.key(), op, KeyOp.Kind.DELETE, null, 0, definite);
        case GET -> {
          if (definite) {
            add(byKey, op.key(), op, KeyOp.Kind.READ, op.result(), 0, true);
          }
        }
        case INCR -> add(byKey, op.key(), op, KeyOp.Kind.RMW, definite ? op.result() : null, op.delta(),
            definite);
        case BATCH -> {
          Map<String, KeyWrite> last = new LinkedHashMap<>();
          op.writes().forEach(w -> last.put(w.key(), w));
          for (KeyWrite w : last.values()) {
            add(byKey, w.key(), op, w.isDelete() ? KeyOp.Kind.DELETE : KeyOp.Kind.WRITE, w.value(), 0,
                definite);
          }
        }
      }
    }
    byKey.replaceAll((key, ops) -> withoutUnobservableWrites(ops));
    return byKey;
  }

  private static void add(Map<String, List<KeyOp>> byKey, String key, Operation op, KeyOp.Kind kind,
      String value, long delta, boolean definite) {
    byKey.computeIfAbsent(key, k -> new ArrayList<>())
        .add(new KeyOp(op, kind, value, delta, definite, op.invokeNanos(), op.completeNanos()));
  }

  private static List<KeyOp> withoutUnobservableWrites(List<KeyOp> ops) {
    if (ops.stream().anyMatch(o -> o.kind() == KeyOp.Kind.RMW)) {
      return ops; // an INCR observes whatever value it adds to
    }
    Set<String> read = ops.stream().filter(o -> o.kind() == KeyOp.Kind.READ && o.value() != null)
        .map(KeyOp::value).collect(Collectors.toSet());
    return ops.stream()
        .filter(o -> o.definite() || o.kind() != KeyOp.Kind.WRITE || read.contains(o.value()))
        .toList();
  }
}
