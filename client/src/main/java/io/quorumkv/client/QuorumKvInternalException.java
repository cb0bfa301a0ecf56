package io.quorumkv.client;

import io.grpc.Status;

/**
 * A member failed with a bug or a storage failure (gRPC INTERNAL or UNKNOWN), and so did the one retry on
 * another member. For a write the outcome is unknown; re-reading the key tells.
 */
public class QuorumKvInternalException extends QuorumKvException {
  private static final long serialVersionUID = 1L;

  public QuorumKvInternalException(
      String message, Status.Code statusCode, String errorCode, String member, Throwable cause) {
    super(message, statusCode, errorCode, member, cause);
  }
}
