package io.quorumkv.chaos.workload;

import io.grpc.Status;

/** How one increment call through the raw stubs ended, after following the leader and retrying. */
sealed interface IncrementReply {

  /** The endpoint that answered, or that the last attempt went to. */
  String member();

  /** A call that ended without an answer OK. */
  sealed interface Failed extends IncrementReply {
    /** The {@code quorumkv-error-code} trailer of the (last) failure, null if absent. */
    String errorCode();

    /** The (last) failure, one line: status, error code, member, message. */
    String description();

    /** False only if no attempt of the call can have been ordered. */
    boolean mayHaveApplied();
  }

  /**
   * Answered OK.
   *
   * @param value the counter's value after the increment (the first application's, for a repeat)
   * @param index the applied index of the response header (the first application's, for a repeat)
   * @param member the endpoint that answered
   */
  record Applied(long value, long index, String member) implements IncrementReply {}

  /**
   * Ended by a status that re-sending would not change (INVALID_ARGUMENT, FAILED_PRECONDITION, ...). The
   * attempt that got it changed nothing; an earlier attempt of the same call may have been applied.
   *
   * @param code the gRPC status
   * @param errorCode the {@code quorumkv-error-code} trailer, null if absent
   * @param description one line: status, error code, member, message
   * @param member the endpoint that refused
   * @param mayHaveApplied true if an earlier attempt of this call may have been ordered
   */
  record Refused(Status.Code code, String errorCode, String description, String member, boolean mayHaveApplied)
      implements Failed {}

  /**
   * No answer before the call's time ran out (no leader, timeouts, members down).
   *
   * @param errorCode the {@code quorumkv-error-code} trailer of the last failed attempt, null if absent
   * @param description the last failure, one line
   * @param member the endpoint of the last attempt
   * @param mayHaveApplied false only if every attempt was refused before it could be ordered (NOT_LEADER,
   *     LEADER_NOT_READY, refused connection...): then the increment was certainly not applied by this call
   */
  record NoAnswer(String errorCode, String description, String member, boolean mayHaveApplied)
      implements Failed {}
}
