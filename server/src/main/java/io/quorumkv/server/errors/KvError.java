package io.quorumkv.server.errors;

import io.quorumkv.proto.v1.ErrorCode;
import java.util.Optional;

/**
 * A failure that reaches the client. Its {@link ErrorCode} decides the gRPC status through
 * {@link ErrorCatalog}; a NOT_LEADER error may name the leader so the client can go there.
 */
public final class KvError extends RuntimeException {
  private final ErrorCode code;
  private final LeaderHint leaderHint;

  public KvError(ErrorCode code, String message) {
    this(code, message, null, null);
  }

  public KvError(ErrorCode code, String message, LeaderHint leaderHint, Throwable cause) {
    super(message, cause, false, false);
    this.code = code;
    this.leaderHint = leaderHint;
  }

  public static KvError invalid(String message) {
    return new KvError(ErrorCode.INVALID_REQUEST, message);
  }

  public ErrorCode code() {
    return code;
  }

  public Optional<LeaderHint> leaderHint() {
    return Optional.ofNullable(leaderHint);
  }

  /** The leader as far as the answering member knows it. */
  public record LeaderHint(String id, String clientEndpoint) {}
}
