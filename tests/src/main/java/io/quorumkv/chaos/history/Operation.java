package io.quorumkv.chaos.history;

import java.util.List;
import java.util.Objects;

/**
 * One completed operation of a history: what a client asked, when, and how it ended.
 *
 * <p>Times are {@link System#nanoTime()} readings of the recording JVM taken just before the call was
 * sent ({@code invokeNanos}) and just after it returned or failed ({@code completeNanos}); the operation
 * took effect, if at all, somewhere between the two, or (for {@link Outcome#UNKNOWN}) at any time after
 * {@code invokeNanos}.
 *
 * @param id unique within the history, in invocation order
 * @param process the client (worker) that issued it; a process runs one operation at a time
 * @param type what the operation did
 * @param key the key of a single-key operation; null for {@link OpType#BATCH}
 * @param value the value a {@link OpType#PUT} wrote; null otherwise
 * @param delta the amount an {@link OpType#INCR} added; 0 otherwise
 * @param writes the writes of a {@link OpType#BATCH}, in order; empty otherwise
 * @param invokeNanos monotonic time of the invocation
 * @param completeNanos monotonic time of the completion (also recorded for failed and unknown ones)
 * @param outcome how it ended
 * @param result for an OK GET the value read, or null if the key was absent; for an OK INCR the new value;
 *     for an OK DELETE "true"/"false" (whether the key existed); null otherwise
 * @param index the log index the response carried (applied index of a read, write index of a put, a
 *     batch or a resending increment), 0 when the response carries none
 * @param member the endpoint that answered or failed, as far as the client tells (may be null)
 * @param error the failure's description for FAIL and UNKNOWN; null for OK
 * @param writeId the WriteId the client chose itself (the resending increments of a resend run, which
 *     {@link Resend}s refer to); null when the client library chose it
 */
public record Operation(
    long id,
    int process,
    OpType type,
    String key,
    String value,
    long delta,
    List<KeyWrite> writes,
    long invokeNanos,
    long completeNanos,
    Outcome outcome,
    String result,
    long index,
    String member,
    String error,
    WriteIdentity writeId) {

  /** An operation whose WriteId the client library chose. */
  public Operation(long id, int process, OpType type, String key, String value, long delta, List<KeyWrite> writes,
      long invokeNanos, long completeNanos, Outcome outcome, String result, long index, String member,
      String error) {
    this(id, process, type, key, value, delta, writes, invokeNanos, completeNanos, outcome, result, index, member,
        error, null);
  }

  public Operation {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(outcome, "outcome");
    writes = List.copyOf(writes);
    if ((type == OpType.BATCH) != (key == null)) {
      throw new IllegalArgumentException("a batch has no key, every other operation has one: " + type);
    }
  }

  /** The keys this operation touched: its key, or the keys of a batch's writes. */
  public List<String> keys() {
    return type == OpType.BATCH ? writes.stream().map(KeyWrite::key).distinct().toList() : List.of(key);
  }

  /** A short human-readable form, e.g. {@code #12 p3 PUT r/1=17 ok [1.204s..1.209s]}. */
  public String describe(long originNanos) {
    StringBuilder s = new StringBuilder().append('#').append(id).append(" p").append(process).append(' ')
        .append(type).append(' ');
    switch (type) {
      case PUT -> s.append(key).append('=').append(value);
      case INCR -> s.append(key).append(" +").append(delta);
      case BATCH -> s.append(writes.stream()
          .map(w -> w.isDelete() ? "del " + w.key() : w.key() + "=" + w.value()).toList());
      default -> s.append(key);
    }
    s.append(' ').append(outcome.name().toLowerCase());
    if (outcome == Outcome.OK && (type == OpType.GET || type == OpType.INCR || type == OpType.DELETE)) {
      s.append(" -> ").append(result == null ? "(absent)" : result);
    }
    if (writeId != null) {
      s.append(" (").append(writeId.shortForm()).append(index != 0 ? " at " + index : "").append(')');
    }
    s.append(String.format(" [%.3fs..%.3fs]", (invokeNanos - originNanos) / 1e9,
        (completeNanos - originNanos) / 1e9));
    return s.toString();
  }
}
