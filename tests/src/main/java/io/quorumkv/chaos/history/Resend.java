package io.quorumkv.chaos.history;

/**
 * One re-send of an earlier increment with its original WriteId and content: the client asks again what
 * became of it. A re-send is not a new operation (the cluster must not apply it again), so it is kept
 * apart from the {@link Operation}s the other checkers read.
 *
 * @param operationId the {@link Operation#id()} of the increment re-sent
 * @param process the client that re-sent it (the one that sent it first)
 * @param key the increment's key
 * @param delta the increment's delta
 * @param writeId the increment's write identity, unchanged
 * @param invokeNanos monotonic time the re-send was sent (same clock as the operations)
 * @param completeNanos monotonic time its reply came, or the client gave up
 * @param outcome {@link Outcome#OK}: answered with {@code result}; {@link Outcome#FAIL}: refused with
 *     {@code errorCode}, a status that re-sending cannot change (the re-send itself changed nothing);
 *     {@link Outcome#UNKNOWN}: no answer before the client gave up (timeouts, no leader)
 * @param result for OK the counter's value the reply carried; null otherwise
 * @param index for OK the applied index the reply carried (the first application's); 0 otherwise
 * @param member the endpoint that answered or last failed
 * @param errorCode the {@code quorumkv-error-code} trailer of a FAIL or of the last failed attempt; null if none
 * @param error the failure's description for FAIL and UNKNOWN; null for OK
 * @param afterRun true if sent in the resolution phase after the workload stopped, on a healed cluster
 */
public record Resend(
    long operationId,
    int process,
    String key,
    long delta,
    WriteIdentity writeId,
    long invokeNanos,
    long completeNanos,
    Outcome outcome,
    String result,
    long index,
    String member,
    String errorCode,
    String error,
    boolean afterRun) {

  /** A short human-readable form, e.g. {@code re-send of #12 (3fa2c1d0#17) c/0 +1 ok -> 5 at 120 [9.1s..9.2s]}. */
  public String describe(long originNanos) {
    StringBuilder s = new StringBuilder("re-send of #").append(operationId).append(" (").append(writeId.shortForm())
        .append(") p").append(process).append(' ').append(key).append(" +").append(delta).append(' ')
        .append(outcome.name().toLowerCase());
    if (outcome == Outcome.OK) {
      s.append(" -> ").append(result).append(" at ").append(index);
    } else if (errorCode != null) {
      s.append(' ').append(errorCode);
    }
    s.append(String.format(" [%.3fs..%.3fs]%s", (invokeNanos - originNanos) / 1e9,
        (completeNanos - originNanos) / 1e9, afterRun ? " after the run" : ""));
    return s.toString();
  }
}
