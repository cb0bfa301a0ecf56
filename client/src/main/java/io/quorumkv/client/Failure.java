package io.quorumkv.client;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.net.ConnectException;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * One failed attempt, as the retry logic needs to see it: the gRPC code, the QuorumKV trailers, and
 * whether the request may have reached a leader before failing.
 *
 * @param code gRPC status code
 * @param errorCode the {@code quorumkv-error-code} trailer, null if absent
 * @param leaderEndpoint the {@code quorumkv-leader-endpoint} trailer, null if absent
 * @param member the endpoint the attempt went to
 * @param mayHaveReachedLeader true if a write attempt may have been ordered despite the failure
 * @param cause the gRPC exception
 */
record Failure(
    Status.Code code,
    String errorCode,
    String leaderEndpoint,
    String member,
    boolean mayHaveReachedLeader,
    Throwable cause) {

  static final Metadata.Key<String> ERROR_CODE =
      Metadata.Key.of("quorumkv-error-code", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> LEADER_ENDPOINT =
      Metadata.Key.of("quorumkv-leader-endpoint", Metadata.ASCII_STRING_MARSHALLER);

  /** How grpc-java reports a connection the server closed during the HTTP/2 preface. */
  private static final String PLAINTEXT_REFUSED = "Network closed for unknown reason";

  static final String NOT_LEADER = "NOT_LEADER";
  static final String NOT_AN_INTEGER = "NOT_AN_INTEGER";
  static final String SESSION_EXPIRED = "SESSION_EXPIRED";
  static final String INDEX_NOT_FOUND = "INDEX_NOT_FOUND";
  static final String INDEX_EXISTS = "INDEX_EXISTS";

  /**
   * Classifies a failed attempt, or returns empty if {@code error} is not a gRPC status failure (e.g. a
   * bug in response handling), which must not be retried.
   */
  static Optional<Failure> classify(Throwable error, String member) {
    if (!carriesStatus(error)) {
      return Optional.empty();
    }
    Status status = Status.fromThrowable(error);
    Metadata trailers = Status.trailersFromThrowable(error);
    String errorCode = trailers == null ? null : trailers.get(ERROR_CODE);
    String leader = trailers == null ? null : blankToNull(trailers.get(LEADER_ENDPOINT));
    return Optional.of(
        new Failure(
            status.getCode(), errorCode, leader, member, mayHaveReachedLeader(status, errorCode), error));
  }

  private static boolean carriesStatus(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException || t instanceof StatusException) {
        return true;
      }
    }
    return false;
  }

  private static boolean mayHaveReachedLeader(Status status, String errorCode) {
    switch (status.getCode()) {
      case DEADLINE_EXCEEDED:
      case INTERNAL:
      case UNKNOWN:
        return true;
      case UNAVAILABLE:
        // A QuorumKV error code means the node refused the request before ordering it. Without one the
        // transport failed; only a refused connection proves that nothing was sent.
        return errorCode == null && !causedByRefusedConnection(status.getCause());
      default:
        return false;
    }
  }

  private static boolean causedByRefusedConnection(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof ConnectException) {
        return true;
      }
    }
    return false;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  /** A one-line description for messages and logs, with the transport's reason if there is one. */
  String describe() {
    Status status = Status.fromThrowable(cause);
    StringBuilder text = new StringBuilder().append(code);
    if (errorCode != null) {
      text.append(' ').append(errorCode);
    }
    text.append(" from ").append(member);
    Optional<String> tls = tlsFailure(cause);
    if (tls.isPresent()) {
      // The status description of a failed handshake is generic, with Netty's pipeline on a second line.
      return text.append(": ").append(tls.get()).toString();
    }
    if (status.getDescription() != null) {
      text.append(": ").append(status.getDescription());
      if (PLAINTEXT_REFUSED.equals(status.getDescription())) {
        text.append(" (a member that serves TLS closes plaintext connections so: pass --cacert, or ClientTls)");
      }
    }
    if (status.getCause() != null && status.getCause().getMessage() != null) {
      text.append(" (").append(status.getCause().getMessage()).append(')');
    }
    return text.toString();
  }

  /** What a failed TLS handshake says, with what the client can do about it; empty if it was not one. */
  private static Optional<String> tlsFailure(Throwable cause) {
    Throwable ssl = cause;
    while (ssl != null && !(ssl instanceof SSLException)) {
      ssl = ssl.getCause();
    }
    if (ssl == null) {
      return Optional.empty();
    }
    // The handshake exception is often generic ("General OpenSslEngine problem"); its causes say why.
    StringBuilder reasons = new StringBuilder();
    String reason = "";
    for (Throwable t = ssl; t != null; t = t.getCause()) {
      if (t.getMessage() != null) {
        reasons.append(t.getMessage()).append('\n');
        reason = t.getMessage();
      }
    }
    String all = reasons.toString();
    String hint = all.contains("CERTIFICATE_REQUIRED")
        ? "the member requires a client certificate (--cert and --key; ClientTls.mutual)"
        : all.contains("CERTIFICATE_VERIFY_FAILED") || all.contains("PKIX") || all.contains("trust anchor")
            || all.contains("UNKNOWN_CA") || all.contains("BAD_CERTIFICATE")
            ? "one side does not trust the other's certificate: check that the CA (--cacert) signed both"
            : all.contains("NOT_AN_SSL_RECORD") || all.contains("not an SSL/TLS record")
                ? "the member does not serve TLS: connect without --cacert"
                : "check --cacert, --cert and --key against the cluster file's tls section";
    return Optional.of("TLS handshake failed: " + hint + " [" + reason + "]");
  }


  /** The exception reporting this failure when it ends a call none of whose attempts may have been applied. */
  QuorumKvException toException() {
    return toException(false);
  }

  /**
   * The exception reporting this failure when it ends the call (no retry, or retries used up).
   *
   * @param earlierAttemptMayHaveApplied whether an earlier attempt of this write may have been applied
   */
  QuorumKvException toException(boolean earlierAttemptMayHaveApplied) {
    String message = describe();
    switch (code) {
      case INVALID_ARGUMENT:
      case RESOURCE_EXHAUSTED:
        return new InvalidRequestException(message, code, errorCode, member, cause);
      case FAILED_PRECONDITION:
        if (SESSION_EXPIRED.equals(errorCode)) {
          return new SessionExpiredException(message, member, earlierAttemptMayHaveApplied, cause);
        }
        return NOT_AN_INTEGER.equals(errorCode)
            ? new NotAnIntegerException(message, member, cause)
            : new QuorumKvException(message, code, errorCode, member, cause);
      case NOT_FOUND:
        // The status table of common.proto gives NOT_FOUND one meaning; a trailer naming another code
        // would be a newer server's error this client does not know.
        return errorCode == null || INDEX_NOT_FOUND.equals(errorCode)
            ? new IndexNotFoundException(message, member, cause)
            : new QuorumKvException(message, code, errorCode, member, cause);
      case ALREADY_EXISTS:
        return errorCode == null || INDEX_EXISTS.equals(errorCode)
            ? new IndexExistsException(message, member, cause)
            : new QuorumKvException(message, code, errorCode, member, cause);
      case INTERNAL:
      case UNKNOWN:
        return new QuorumKvInternalException(message, code, errorCode, member, cause);
      default:
        return new QuorumKvException(message, code, errorCode, member, cause);
    }
  }
}
