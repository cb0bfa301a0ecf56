package io.quorumkv.client;

import io.grpc.Status;

/**
 * The request was malformed or exceeded a limit (gRPC INVALID_ARGUMENT, or RESOURCE_EXHAUSTED when it
 * exceeded the transport's message size). Nothing changed; retrying the same request cannot succeed.
 */
public class InvalidRequestException extends QuorumKvException {
  private static final long serialVersionUID = 1L;

  public InvalidRequestException(
      String message, Status.Code statusCode, String errorCode, String member, Throwable cause) {
    super(message, statusCode, errorCode, member, cause);
  }
}
