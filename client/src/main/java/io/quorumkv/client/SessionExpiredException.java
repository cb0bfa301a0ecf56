package io.quorumkv.client;

import io.grpc.Status;

/**
 * The cluster no longer has this client's session (it expired after a time without writes, see {@code
 * sessions.expire-after}), so it could not tell whether an earlier attempt of the write was applied, and
 * did not apply this one. The client has already moved to a new client id for later writes.
 *
 * <p>Thrown only when an earlier attempt of the write may have been applied ({@link #outcomeUnknown()}
 * is then true); a write that had never been ordered is re-sent under the new client id instead.
 */
public class SessionExpiredException extends QuorumKvException {
  private static final long serialVersionUID = 1L;

  private final boolean outcomeUnknown;

  public SessionExpiredException(String message, String member, boolean outcomeUnknown, Throwable cause) {
    super(message, Status.Code.FAILED_PRECONDITION, Failure.SESSION_EXPIRED, member, cause);
    this.outcomeUnknown = outcomeUnknown;
  }

  /** True if an earlier attempt of the write may have been applied. */
  public boolean outcomeUnknown() {
    return outcomeUnknown;
  }
}
