package io.quorumkv.chaos.checker;

import io.quorumkv.chaos.history.History;
import io.quorumkv.chaos.history.KeyWrite;
import io.quorumkv.chaos.history.OpType;
import io.quorumkv.chaos.history.Operation;
import io.quorumkv.chaos.history.Outcome;
import io.quorumkv.chaos.history.Resend;
import io.quorumkv.chaos.history.WriteIdentity;
import java.util.ArrayList;
import java.util.List;

/** Builds hand-made histories for checker tests; times are given in milliseconds from the origin. */
final class Histories {
  private static final String CLIENT = "00112233445566778899aabbccddeeff";

  private final List<Operation> ops = new ArrayList<>();
  private final List<Resend> resends = new ArrayList<>();

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

  /**
   * An increment sent with its own WriteId (sequence = its id + 1) that answered {@code result} at log
   * {@code index} if OK; a failed or unknown one carries {@code error}.
   */
  Histories writeIncr(int process, String key, long delta, long from, long to, Outcome outcome, Long result,
      long index, String error) {
    long id = ops.size();
    ops.add(new Operation(id, process, OpType.INCR, key, null, delta, List.of(), from * 1_000_000, to * 1_000_000,
        outcome, outcome == Outcome.OK ? result.toString() : null, outcome == Outcome.OK ? index : 0, null,
        outcome == Outcome.OK ? null : error, new WriteIdentity(CLIENT, id + 1)));
    return this;
  }

  /** A re-send of the operation {@code opId} (which must exist), answered as given. */
  Histories resend(long opId, long from, long to, Outcome outcome, Long result, long index, String errorCode,
      boolean afterRun) {
    Operation op = ops.get((int) opId);
    resends.add(new Resend(opId, op.process(), op.key(), op.delta(), op.writeId(), from * 1_000_000, to * 1_000_000,
        outcome, result == null ? null : result.toString(), index, null, errorCode,
        outcome == Outcome.OK ? null : "test", afterRun));
    return this;
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
    return new History(0, ops, resends);
  }
}
