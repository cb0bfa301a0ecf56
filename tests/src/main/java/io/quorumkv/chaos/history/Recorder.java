package io.quorumkv.chaos.history;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Collects operations from concurrent clients. Thread-safe. A client calls {@link #invoke} right before
 * sending a request and completes the returned {@link Pending} exactly once when the call has ended.
 */
public final class Recorder {
  private final LongSupplier clock;
  private final long originNanos;
  private final AtomicLong ids = new AtomicLong();
  private final ConcurrentLinkedQueue<Operation> completed = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Resend> resends = new ConcurrentLinkedQueue<>();
  private final Set<Pending> pending = ConcurrentHashMap.newKeySet();

  /** @param clock a monotonic nanosecond clock ({@code System::nanoTime} outside tests) */
  public Recorder(LongSupplier clock) {
    this.clock = clock;
    this.originNanos = clock.getAsLong();
  }

  public long originNanos() {
    return originNanos;
  }

  /** Current time of the recorder's clock. */
  public long now() {
    return clock.getAsLong();
  }

  /** Records the invocation of a single-key operation. */
  public Pending invoke(int process, OpType type, String key, String value, long delta) {
    return invoke(process, type, key, value, delta, null);
  }

  /** Records the invocation of a single-key write under a WriteId the client chose itself. */
  public Pending invoke(int process, OpType type, String key, String value, long delta, WriteIdentity writeId) {
    return register(new Pending(ids.getAndIncrement(), process, type, key, value, delta, List.of(),
        clock.getAsLong(), writeId));
  }

  /** Records a completed re-send (its times must come from {@link #now()}). */
  public void resent(Resend resend) {
    resends.add(resend);
  }

  /** Number of re-sends recorded so far. */
  public long resendsSoFar() {
    return resends.size();
  }

  /** Records the invocation of a batch. */
  public Pending invokeBatch(int process, List<KeyWrite> writes) {
    return register(new Pending(ids.getAndIncrement(), process, OpType.BATCH, null, null, 0, writes,
        clock.getAsLong(), null));
  }

  private Pending register(Pending p) {
    pending.add(p);
    return p;
  }

  /** Number of operations completed so far, by outcome: [ok, fail, unknown]. */
  public long[] countsSoFar() {
    long[] counts = new long[3];
    for (Operation op : completed) {
      counts[op.outcome().ordinal()]++;
    }
    return counts;
  }

  /**
   * The history so far. Operations still pending (a client that did not stop in time) are included as
   * {@link Outcome#UNKNOWN}: they may yet take effect, and leaving them out could turn their effect into
   * an apparent violation.
   */
  public History history() {
    List<Operation> ops = new ArrayList<>(completed);
    long now = clock.getAsLong();
    for (Pending p : pending) {
      ops.add(p.asOperation(Outcome.UNKNOWN, null, 0, null, "still running when the history was taken", now));
    }
    return new History(originNanos, ops, new ArrayList<>(resends));
  }

  /** An invoked operation waiting for its outcome. Complete it once. */
  public final class Pending {
    private final long id;
    private final int process;
    private final OpType type;
    private final String key;
    private final String value;
    private final long delta;
    private final List<KeyWrite> writes;
    private final long invokeNanos;
    private final WriteIdentity writeId;

    private Pending(long id, int process, OpType type, String key, String value, long delta,
        List<KeyWrite> writes, long invokeNanos, WriteIdentity writeId) {
      this.id = id;
      this.process = process;
      this.type = type;
      this.key = key;
      this.value = value;
      this.delta = delta;
      this.writes = writes;
      this.invokeNanos = invokeNanos;
      this.writeId = writeId;
    }

    /** The operation's id in the history (what {@link Resend#operationId()} refers to). */
    public long id() {
      return id;
    }

    public OpType type() {
      return type;
    }

    /** Acknowledged, with the observed result (see {@link Operation#result()}) and response index. */
    public Operation ok(String result, long index, String member) {
      return complete(Outcome.OK, result, index, member, null);
    }

    /** Definitely not applied. */
    public Operation fail(String error, String member) {
      return complete(Outcome.FAIL, null, 0, member, error);
    }

    /** May or may not have been applied. */
    public Operation unknown(String error, String member) {
      return complete(Outcome.UNKNOWN, null, 0, member, error);
    }

    private Operation complete(Outcome outcome, String result, long index, String member, String error) {
      Operation op = asOperation(outcome, result, index, member, error, clock.getAsLong());
      if (!pending.remove(this)) {
        throw new IllegalStateException("operation " + id + " completed twice");
      }
      completed.add(op);
      return op;
    }

    private Operation asOperation(Outcome outcome, String result, long index, String member, String error,
        long completeNanos) {
      return new Operation(id, process, type, key, value, delta, writes, invokeNanos, completeNanos, outcome,
          result, index, member, error, writeId);
    }
  }
}
