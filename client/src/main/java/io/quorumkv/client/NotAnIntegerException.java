package io.quorumkv.client;

import io.grpc.Status;

/**
 * An increment was refused because the stored value is not a base-10 signed 64-bit integer, or the result
 * would overflow (gRPC FAILED_PRECONDITION with error code NOT_AN_INTEGER). Nothing changed.
 */
public class NotAnIntegerException extends QuorumKvException {
  private static final long serialVersionUID = 1L;

  public NotAnIntegerException(String message, String member, Throwable cause) {
    super(message, Status.Code.FAILED_PRECONDITION, "NOT_AN_INTEGER", member, cause);
  }
}
