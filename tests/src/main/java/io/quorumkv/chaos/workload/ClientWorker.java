package io.quorumkv.chaos.workload;

import io.quorumkv.chaos.history.KeyWrite;
import io.quorumkv.chaos.history.OpType;
import io.quorumkv.chaos.history.Recorder;
import io.quorumkv.client.Batch;
import io.quorumkv.client.Entry;
import io.quorumkv.client.InvalidRequestException;
import io.quorumkv.client.NotAnIntegerException;
import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.client.QuorumKvException;
import io.quorumkv.client.ReadOptions;
import io.quorumkv.client.UnavailableException;
import io.quorumkv.client.Values;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * One client of the workload: issues one operation at a time, picked by its own seeded random, and
 * records each one's invocation and outcome. Values written are unique integers (process, sequence), so
 * that every value read names the write that produced it. In resend mode its increments go through its
 * {@link ResendingIncrements} instead of the Java client, and before each operation it re-sends one earlier
 * increment if one is due.
 */
final class ClientWorker implements Runnable {
  private static final int UNIQUE_KEYS_PER_BATCH = 2;

  private final int process;
  private final QuorumKvClient kv;
  private final KeySpace keys;
  private final Random random;
  private final Recorder recorder;
  private final BooleanSupplier running;
  private final Optional<ResendingIncrements> resending;
  private long seq;

  /** @param resending the raw-stub increments of resend mode; empty to increment through {@code kv} */
  ClientWorker(int process, QuorumKvClient kv, KeySpace keys, Random random, Recorder recorder,
      BooleanSupplier running, Optional<ResendingIncrements> resending) {
    this.process = process;
    this.kv = kv;
    this.keys = keys;
    this.random = random;
    this.recorder = recorder;
    this.running = running;
    this.resending = resending;
  }

  @Override
  public void run() {
    while (running.getAsBoolean()) {
      resending.ifPresent(ResendingIncrements::resendDue);
      step(OperationMix.pick(random));
    }
  }

  private void step(OperationMix kind) {
    seq++;
    String register = keys.register(random.nextInt(keys.registers()));
    String counter = keys.counter(random.nextInt(keys.counters()));
    switch (kind) {
      case GET_REGISTER -> get(register);
      case GET_COUNTER -> get(counter);
      case PUT_REGISTER -> put(register, freshValue());
      case PUT_UNIQUE -> put(keys.unique(process, seq, 0), freshValue());
      case DELETE_REGISTER -> delete(register);
      case INCR_COUNTER -> {
        if (resending.isPresent()) {
          resending.get().increment(counter, 1);
        } else {
          incr(counter);
        }
      }
      case BATCH -> batch(register);
    }
  }

  /** A value no other write of the run uses; an integer so that it reads naturally in reports. */
  private String freshValue() {
    return Long.toString((process + 1) * 1_000_000_000L + seq);
  }

  private void get(String key) {
    Recorder.Pending p = recorder.invoke(process, OpType.GET, key, null, 0);
    try {
      Optional<Entry> e = kv.get(key, ReadOptions.linearizable());
      p.ok(e.map(x -> x.value().getText()).orElse(null), e.map(Entry::appliedIndex).orElse(0L), member());
    } catch (RuntimeException e) {
      p.fail(describe(e), member(e)); // a read that failed observed nothing
    }
  }

  private void put(String key, String value) {
    Recorder.Pending p = recorder.invoke(process, OpType.PUT, key, value, 0);
    try {
      p.ok(null, kv.put(key, Values.text(value)).index(), member());
    } catch (RuntimeException e) {
      failWrite(p, e);
    }
  }

  private void delete(String key) {
    Recorder.Pending p = recorder.invoke(process, OpType.DELETE, key, null, 0);
    try {
      p.ok(Boolean.toString(kv.delete(key)), 0, member());
    } catch (RuntimeException e) {
      failWrite(p, e);
    }
  }

  private void incr(String key) {
    Recorder.Pending p = recorder.invoke(process, OpType.INCR, key, null, 1);
    try {
      p.ok(Long.toString(kv.increment(key, 1)), 0, member());
    } catch (RuntimeException e) {
      failWrite(p, e);
    }
  }

  /** Unique keys (checked for atomicity and loss) plus a put or delete of a shared register. */
  private void batch(String register) {
    List<KeyWrite> writes = new ArrayList<>();
    for (int part = 0; part < UNIQUE_KEYS_PER_BATCH; part++) {
      writes.add(new KeyWrite(keys.unique(process, seq, part), freshValue()));
    }
    writes.add(new KeyWrite(register, random.nextInt(4) == 0 ? null : freshValue()));
    Batch.Builder batch = Batch.builder();
    for (KeyWrite w : writes) {
      if (w.isDelete()) {
        batch.delete(w.key());
      } else {
        batch.put(w.key(), Values.text(w.value()));
      }
    }
    Recorder.Pending p = recorder.invokeBatch(process, writes);
    try {
      p.ok(null, kv.batch(batch.build()).index(), member());
    } catch (RuntimeException e) {
      failWrite(p, e);
    }
  }

  /**
   * A write failed: it definitely had no effect only when the client says so (refused before being
   * ordered, or rejected as invalid); anything else, including errors this code does not know, may have
   * been applied.
   */
  private static void failWrite(Recorder.Pending p, RuntimeException e) {
    boolean definite = e instanceof UnavailableException u ? !u.outcomeUnknown()
        : e instanceof InvalidRequestException || e instanceof NotAnIntegerException;
    if (definite) {
      p.fail(describe(e), member(e));
    } else {
      p.unknown(describe(e), member(e));
    }
  }

  /** The member the client sent its last successful call to (its cached leader). */
  private String member() {
    return kv.preferredEndpoint();
  }

  private static String member(RuntimeException e) {
    return e instanceof QuorumKvException q ? q.member().orElse(null) : null;
  }

  private static String describe(RuntimeException e) {
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }
}
