package io.quorumkv.chaos.history;

/** How an operation ended, as far as its client could tell. */
public enum Outcome {
  /** Acknowledged: the operation took effect (writes) or observed {@link Operation#result()} (reads). */
  OK,
  /** Definitely did not take effect: the request was refused before it could be ordered. */
  FAIL,
  /**
   * The client cannot tell (timeout, connection lost after sending): the operation may take effect at
   * any moment after its invocation, or never.
   */
  UNKNOWN
}
