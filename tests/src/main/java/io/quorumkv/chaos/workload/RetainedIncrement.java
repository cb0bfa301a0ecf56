package io.quorumkv.chaos.workload;

import io.quorumkv.chaos.history.WriteIdentity;
import io.quorumkv.proto.v1.IncrementRequest;

/**
 * An increment a client keeps so that it can re-send it: the exact request it first sent (WriteId and
 * content), the history operation it belongs to, and where it stands. Mutated by {@link ResendQueue} only.
 */
final class RetainedIncrement {
  final long operationId;
  final IncrementRequest request;
  final WriteIdentity writeId;
  /** True once a send or re-send was answered OK. */
  boolean acknowledged;
  /** Re-sends answered OK since the acknowledgement (the first one, for an unknown increment, is it). */
  int answeredResends;
  /** Re-sends in a row without an answer; sets the backoff before the next one. */
  int unansweredInARow;
  /** When the next re-send is due (monotonic nanos). */
  long dueNanos;

  RetainedIncrement(long operationId, IncrementRequest request) {
    this.operationId = operationId;
    this.request = request;
    this.writeId = WriteIdentity.of(request.getWriteId().getClientId().toByteArray(),
        request.getWriteId().getSequence());
  }

  long sequence() {
    return request.getWriteId().getSequence();
  }
}
