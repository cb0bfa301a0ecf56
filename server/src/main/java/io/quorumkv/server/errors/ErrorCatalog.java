package io.quorumkv.server.errors;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quorumkv.proto.v1.ErrorCode;
import io.quorumkv.proto.v1.WritesResponse;
import io.quorumkv.statemachine.read.ReadViewClosedException;
import io.quorumkv.statemachine.search.IndexNotFoundException;
import io.quorumkv.statemachine.search.IndexUnavailableException;
import io.quorumkv.statemachine.search.InvalidSearchException;
import io.quorumkv.statemachine.search.embed.EmbeddingOverloadedException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.ReadException;
import org.apache.ratis.protocol.exceptions.ReadIndexException;
import org.apache.ratis.protocol.exceptions.ReconfigurationInProgressException;
import org.apache.ratis.protocol.exceptions.ReconfigurationTimeoutException;
import org.apache.ratis.protocol.exceptions.ResourceUnavailableException;
import org.apache.ratis.protocol.exceptions.SetConfigurationException;
import org.apache.ratis.protocol.exceptions.ServerNotReadyException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.protocol.exceptions.TimeoutIOException;
import org.apache.ratis.protocol.exceptions.TransferLeadershipException;

/**
 * The one place where failures become gRPC statuses. Ratis failures are first classified into a
 * {@link KvError} ({@link #fromRatis}), then every {@link KvError} maps to a status through
 * {@link #STATUS_OF} (INTERNAL for a code missing from it), with the error code and leader hint as
 * trailers (the contract in common.proto). Server-side timeouts and cancellations carry a code too.
 */
public final class ErrorCatalog {
  public static final Metadata.Key<String> ERROR_CODE =
      Metadata.Key.of("quorumkv-error-code", Metadata.ASCII_STRING_MARSHALLER);
  public static final Metadata.Key<String> LEADER_ID =
      Metadata.Key.of("quorumkv-leader-id", Metadata.ASCII_STRING_MARSHALLER);
  public static final Metadata.Key<String> LEADER_ENDPOINT =
      Metadata.Key.of("quorumkv-leader-endpoint", Metadata.ASCII_STRING_MARSHALLER);

  /** Error code → gRPC status. UNAVAILABLE means "retry with the same WriteId". */
  private static final Map<ErrorCode, Status.Code> STATUS_OF = new EnumMap<>(Map.ofEntries(
      Map.entry(ErrorCode.LEADER_UNREACHABLE, Status.Code.UNAVAILABLE),
      Map.entry(ErrorCode.NOT_LEADER, Status.Code.UNAVAILABLE),
      Map.entry(ErrorCode.LEADER_NOT_READY, Status.Code.UNAVAILABLE),
      Map.entry(ErrorCode.OVERLOADED, Status.Code.UNAVAILABLE),
      Map.entry(ErrorCode.NODE_UNAVAILABLE, Status.Code.UNAVAILABLE),
      Map.entry(ErrorCode.STALE_READ_TIMEOUT, Status.Code.UNAVAILABLE),
      Map.entry(ErrorCode.READ_BARRIER_FAILED, Status.Code.UNAVAILABLE),
      Map.entry(ErrorCode.INVALID_REQUEST, Status.Code.INVALID_ARGUMENT),
      Map.entry(ErrorCode.NOT_AN_INTEGER, Status.Code.FAILED_PRECONDITION),
      Map.entry(ErrorCode.WRITE_ID_REUSED, Status.Code.INVALID_ARGUMENT),
      Map.entry(ErrorCode.SESSION_EXPIRED, Status.Code.FAILED_PRECONDITION),
      Map.entry(ErrorCode.WRITE_RESULT_DISCARDED, Status.Code.FAILED_PRECONDITION),
      Map.entry(ErrorCode.REQUEST_TIMEOUT, Status.Code.DEADLINE_EXCEEDED),
      Map.entry(ErrorCode.REQUEST_CANCELLED, Status.Code.CANCELLED),
      Map.entry(ErrorCode.INDEX_NOT_FOUND, Status.Code.NOT_FOUND),
      Map.entry(ErrorCode.INDEX_UNAVAILABLE, Status.Code.UNAVAILABLE),
      Map.entry(ErrorCode.INDEX_EXISTS, Status.Code.ALREADY_EXISTS),
      Map.entry(ErrorCode.MEMBERSHIP_CHANGE_REFUSED, Status.Code.FAILED_PRECONDITION),
      Map.entry(ErrorCode.MEMBERSHIP_CHANGE_IN_PROGRESS, Status.Code.ABORTED),
      Map.entry(ErrorCode.MEMBER_REMOVED, Status.Code.UNAVAILABLE),
      Map.entry(ErrorCode.INTERNAL_ERROR, Status.Code.INTERNAL)));

  private ErrorCatalog() {}

  /** Converts any failure of a request into the status the client sees. */
  public static StatusRuntimeException toStatus(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof StatusRuntimeException sre) {
      return sre;
    }
    KvError error = asKvError(t);
    if (!STATUS_OF.containsKey(error.code())) {
      // A code without a status of its own is a bug here, not something the client did.
      error = new KvError(ErrorCode.INTERNAL_ERROR, "error code " + error.code() + ": " + error.getMessage(),
          null, error);
    }
    Metadata trailers = new Metadata();
    trailers.put(ERROR_CODE, error.code().name());
    error.leaderHint().ifPresent(hint -> {
      trailers.put(LEADER_ID, hint.id());
      if (hint.clientEndpoint() != null) {
        trailers.put(LEADER_ENDPOINT, hint.clientEndpoint());
      }
    });
    return Status.fromCode(STATUS_OF.get(error.code())).withDescription(error.getMessage())
        .asRuntimeException(trailers);
  }

  /** The failure of one write of a Writes call: the status and trailers it would have failed with alone. */
  public static WritesResponse.WriteError toWriteError(Throwable failure) {
    StatusRuntimeException status = toStatus(failure);
    Metadata trailers = status.getTrailers() == null ? new Metadata() : status.getTrailers();
    return WritesResponse.WriteError.newBuilder()
        .setStatusCode(status.getStatus().getCode().value())
        .setMessage(Objects.toString(status.getStatus().getDescription(), ""))
        .setErrorCode(Objects.toString(trailers.get(ERROR_CODE), ""))
        .setLeaderId(Objects.toString(trailers.get(LEADER_ID), ""))
        .setLeaderEndpoint(Objects.toString(trailers.get(LEADER_ENDPOINT), ""))
        .build();
  }

  private static KvError asKvError(Throwable t) {
    if (t instanceof KvError e) {
      return e;
    }
    if (t instanceof TimeoutException) {
      return new KvError(ErrorCode.REQUEST_TIMEOUT, "request timed out on the server; a write's outcome is unknown");
    }
    if (t instanceof CancellationException) {
      return new KvError(ErrorCode.REQUEST_CANCELLED, "request cancelled");
    }
    if (t instanceof ReadViewClosedException) {
      // The store was swapped (snapshot install) or closed (shutdown) under the query: retry it.
      return new KvError(ErrorCode.NODE_UNAVAILABLE, "the local state changed under the read: " + t.getMessage());
    }
    if (t instanceof IndexNotFoundException) {
      return new KvError(ErrorCode.INDEX_NOT_FOUND, t.getMessage());
    }
    if (t instanceof IndexUnavailableException) {
      return new KvError(ErrorCode.INDEX_UNAVAILABLE, t.getMessage());
    }
    if (t instanceof InvalidSearchException) {
      return KvError.invalid(t.getMessage());
    }
    if (t instanceof EmbeddingOverloadedException) {
      return new KvError(ErrorCode.OVERLOADED, "too many texts wait for their embedding: " + t.getMessage());
    }
    return new KvError(ErrorCode.INTERNAL_ERROR, "internal error: " + t, null, t);
  }

  /**
   * Classifies a failed Ratis reply or an exceptional Ratis future.
   *
   * @param endpointOf maps a member id to its client endpoint, for leader hints
   */
  public static KvError fromRatis(Throwable failure, Function<String, Optional<String>> endpointOf) {
    Throwable t = unwrap(failure);
    if (t instanceof KvError e) {
      return e;
    }
    if (t instanceof NotLeaderException e) {
      RaftPeer leader = e.getSuggestedLeader();
      KvError.LeaderHint hint = leader == null ? null
          : new KvError.LeaderHint(leader.getId().toString(), endpointOf.apply(leader.getId().toString()).orElse(null));
      return notLeader(hint);
    }
    if (t instanceof LeaderNotReadyException || t instanceof LeaderSteppingDownException
        || t instanceof TransferLeadershipException) {
      return new KvError(ErrorCode.LEADER_NOT_READY, "leader is not ready: " + t.getMessage());
    }
    if (t instanceof ResourceUnavailableException) {
      return new KvError(ErrorCode.OVERLOADED, "leader is overloaded, retry later: " + t.getMessage());
    }
    if (t instanceof ReconfigurationInProgressException) {
      return new KvError(ErrorCode.MEMBERSHIP_CHANGE_IN_PROGRESS, "a membership change is under way: " + t.getMessage());
    }
    if (t instanceof ReconfigurationTimeoutException) {
      return new KvError(ErrorCode.MEMBERSHIP_CHANGE_REFUSED, "a new member did not answer the leader or did not"
          + " keep up, so the change was abandoned: start it with `quorumkv node --join` at the Raft address"
          + " given, then retry (" + t.getMessage() + ")");
    }
    if (t instanceof SetConfigurationException) {
      return new KvError(ErrorCode.MEMBERSHIP_CHANGE_REFUSED, "the membership change was refused: " + t.getMessage());
    }
    if (t instanceof ServerNotReadyException || t instanceof AlreadyClosedException
        || t instanceof GroupMismatchException) {
      return new KvError(ErrorCode.NODE_UNAVAILABLE, "member is not serving: " + t.getMessage());
    }
    if (t instanceof ReadException || t instanceof ReadIndexException) {
      return new KvError(ErrorCode.READ_BARRIER_FAILED, "linearizable read failed: " + t.getMessage());
    }
    if (t instanceof TimeoutIOException || isRatisTransportFailure(t)) {
      return new KvError(ErrorCode.LEADER_UNREACHABLE, "could not reach the leader: " + t.getMessage());
    }
    if (t instanceof StateMachineException) {
      return new KvError(ErrorCode.INTERNAL_ERROR, "state machine failure: " + t.getMessage(), null, t);
    }
    return new KvError(ErrorCode.INTERNAL_ERROR, "internal error: " + t, null, t);
  }

  /** The failure carried by an unsuccessful reply (never null for one). */
  public static Throwable failureOf(RaftClientReply reply) {
    return reply.getException() != null ? reply.getException()
        : new IllegalStateException("unsuccessful Ratis reply without an exception: " + reply);
  }

  public static KvError notLeader(KvError.LeaderHint hint) {
    String where = hint == null ? "no leader is known yet" : "the leader is " + hint.id()
        + (hint.clientEndpoint() == null ? "" : " at " + hint.clientEndpoint());
    return new KvError(ErrorCode.NOT_LEADER, "this member is not the leader; " + where, hint, null);
  }

  /** Ratis' own (shaded) gRPC reports a peer it cannot reach with its own exception types. */
  private static boolean isRatisTransportFailure(Throwable t) {
    return t.getClass().getName().startsWith("org.apache.ratis.thirdparty.io.grpc.");
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
