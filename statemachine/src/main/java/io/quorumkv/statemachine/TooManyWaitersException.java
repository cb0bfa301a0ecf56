package io.quorumkv.statemachine;

/**
 * {@link KvStateMachine#awaitApplied} refused a new wait: so many distinct indexes are awaited already
 * that one more could let callers grow the member's memory without bound. Retryable once some are reached.
 */
public final class TooManyWaitersException extends RuntimeException {
  TooManyWaitersException(int pendingIndexes) {
    super(pendingIndexes + " distinct indexes are awaited already; retry later");
  }
}
