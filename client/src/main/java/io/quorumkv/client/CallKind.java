package io.quorumkv.client;

/** Whether a call changes data; decides routing and whether a failed call's outcome can be unknown. */
enum CallKind {
  /** Served by any member; falls over to the next member on any retryable failure. */
  READ,
  /** Must reach the leader; carries a WriteId so that retries apply at most once. */
  WRITE
}
