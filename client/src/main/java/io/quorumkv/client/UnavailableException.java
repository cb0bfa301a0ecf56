package io.quorumkv.client;

import io.grpc.Status;

/**
 * No member completed the request before the client's overall timeout, although every failure was
 * retryable (no leader, leader not ready, overloaded, unreachable members, per-attempt timeouts).
 *
 * <p>For a write, {@link #outcomeUnknown()} tells whether it may nevertheless have been applied. Repeating
 * the call is safe only for idempotent operations: the repeated call is a new write with a new WriteId.
 */
public class UnavailableException extends QuorumKvException {
  private static final long serialVersionUID = 1L;

  private final boolean outcomeUnknown;
  private final int attempts;

  /**
   * @param outcomeUnknown true if the operation was a write and at least one attempt may have reached a
   *     leader (it timed out, or the connection broke after the request could have been sent)
   * @param attempts number of attempts made
   */
  public UnavailableException(
      String message,
      Status.Code statusCode,
      String errorCode,
      String member,
      boolean outcomeUnknown,
      int attempts,
      Throwable cause) {
    super(message, statusCode, errorCode, member, cause);
    this.outcomeUnknown = outcomeUnknown;
    this.attempts = attempts;
  }

  /**
   * True if this was a write that may have been applied: some attempt timed out or lost its connection
   * after sending. False for reads, and for writes whose every attempt was refused before being ordered
   * (e.g. NOT_LEADER, connection refused), which therefore changed nothing.
   */
  public boolean outcomeUnknown() {
    return outcomeUnknown;
  }

  /** How many attempts were made before giving up. */
  public int attempts() {
    return attempts;
  }
}
