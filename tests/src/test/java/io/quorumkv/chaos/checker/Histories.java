package io.quorumkv.chaos.checker;

import io.quorumkv.chaos.history.History;
import io.quorumkv.chaos.history.KeyWrite;
import io.quorumkv.chaos.history.OpType;
import io.quorumkv.chaos.history.Operation;
import io.quorumkv.chaos.history.Outcome;
import java.util.ArrayList;
import java.util.List;

/** Builds hand-made histories for checker tests; times are given in milliseconds from the origin. */
final class Histories {
  private final List<Operation> ops = new ArrayList<>();

  Histories put(int process, String key, String value, long from, long to, Outcome outcome) {
    return add(process, OpType.PUT, key, value, 0, List.of(), from, to, outcome, null);
  }

  Histories get(int process, String key, String read, long from, long to) {
    return add(process, OpType.GET, key, null, 0, List.of(), from, to, Outcome.OK, read);
  }

  Histories delete(int process, String key, long from, long to, Outcome outcome) {
    return add(process, OpType.DELETE, key, null, 0, List.of(), from, to, outcome, null);
  }

  Histories incr(int process, String key, long delta, long from, long to, Outcome outcome, Long result) {
    return add(process, OpType.INCR, key, null, delta, List.of(), from, to, outcome,
        result == null ? null : result.toString());
  }

  Histories batch(int process, List<KeyWrite> writes, long from, long to, Outcome outcome) {
    return add(process, OpType.BATCH, null, null, 0, writes, from, to, outcome, null);
  }

  private Histories add(int process, OpType type, String key, String value, long delta, List<KeyWrite> writes,
      long from, long to, Outcome outcome, String result) {
    ops.add(new Operation(ops.size(), process, type, key, value, delta, writes, from * 1_000_000,
        to * 1_000_000, outcome, outcome == Outcome.OK ? result : null, 0, null,
        outcome == Outcome.OK ? null : "test"));
    return this;
  }

  History build() {
    return new History(0, ops);
  }
}
