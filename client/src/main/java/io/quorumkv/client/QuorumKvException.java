package io.quorumkv.client;

import io.grpc.Status;
import java.util.Optional;

/**
 * Base of every failure the client reports. Unchecked; the synchronous API throws it directly and the
 * asynchronous API completes its futures with it.
 *
 * <p>Carries the gRPC status code of the failure, the {@code quorumkv-error-code} trailer (one of the
 * {@code ErrorCode} names of {@code common.proto}) when the server sent one, and the endpoint of the member
 * that answered (or failed to answer) the last attempt.
 */
public class QuorumKvException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Status.Code statusCode;
  private final String errorCode;
  private final String member;

  /**
   * @param message human-readable description
   * @param statusCode gRPC status code of the (last) failed attempt
   * @param errorCode the {@code quorumkv-error-code} trailer, or null if absent
   * @param member endpoint ("host:port") that was asked, or null if none was
   * @param cause the underlying gRPC exception, or null
   */
  public QuorumKvException(
      String message, Status.Code statusCode, String errorCode, String member, Throwable cause) {
    super(message, cause);
    this.statusCode = statusCode;
    this.errorCode = errorCode;
    this.member = member;
  }

  /** The gRPC status code of the failed (last) attempt. */
  public Status.Code statusCode() {
    return statusCode;
  }

  /** The {@code quorumkv-error-code} trailer, e.g. {@code "NOT_AN_INTEGER"}, if the server sent one. */
  public Optional<String> errorCode() {
    return Optional.ofNullable(errorCode);
  }

  /** The endpoint ("host:port") of the member the failed (last) attempt went to. */
  public Optional<String> member() {
    return Optional.ofNullable(member);
  }
}
