package io.quorumkv.chaos.history;

/** What a recorded operation did. Each maps to one client call. */
public enum OpType {
  /** Set one key to a value. */
  PUT,
  /** Linearizable read of one key. */
  GET,
  /** Remove one key. */
  DELETE,
  /** Add a delta to the integer at one key and return the new value (read-modify-write). */
  INCR,
  /** Several puts and deletes applied all-or-nothing as one log entry. */
  BATCH;

  /** True for operations that change the store; false for reads. */
  public boolean isWrite() {
    return this != GET;
  }
}
