package io.quorumkv.client;

/**
 * What to do after a failed attempt; the one place that encodes the status table of {@code
 * common.proto}. Pure function of the failure and the kind of call.
 */
final class RetryPolicy {
  /** The next step after a failed attempt. */
  enum Decision {
    /** Re-send to the leader named by the failure's leader hint. */
    REDIRECT,
    /** Back off, then re-send to the same member. */
    RETRY_SAME,
    /** Back off, then re-send to the next member. */
    RETRY_NEXT,
    /** Back off, then re-send to the next member, but only once per call; a second such failure ends it. */
    RETRY_NEXT_ONCE,
    /** End the call with this failure. */
    FAIL
  }

  private RetryPolicy() {}

  static Decision decide(Failure failure, CallKind kind) {
    switch (failure.code()) {
      case UNAVAILABLE:
        return decideUnavailable(failure, kind);
      case DEADLINE_EXCEEDED:
        // The member may be partitioned or stuck; another one either answers or names the leader. For a
        // write this is safe because the retry re-sends the same WriteId.
        return Decision.RETRY_NEXT;
      case INTERNAL:
      case UNKNOWN:
        // A bug or storage failure on one member; another member may well be healthy. Retrying more than
        // once would mostly hide a systematic bug behind the overall timeout.
        return Decision.RETRY_NEXT_ONCE;
      default:
        // INVALID_ARGUMENT, RESOURCE_EXHAUSTED, FAILED_PRECONDITION and anything unexpected: the same
        // request would fail the same way.
        return Decision.FAIL;
    }
  }

  /**
   * Whether the failure comes from a member just elected leader that has yet to commit its first entry:
   * it is ready within a replication round or two, so the backoff starts over (once per call) instead of
   * waiting as long as it grew to while no leader was known.
   */
  static boolean restartsBackoff(Failure failure) {
    return "LEADER_NOT_READY".equals(failure.errorCode());
  }

  private static Decision decideUnavailable(Failure failure, CallKind kind) {
    if (Failure.NOT_LEADER.equals(failure.errorCode())) {
      return failure.leaderEndpoint() != null ? Decision.REDIRECT : Decision.RETRY_NEXT;
    }
    if (kind == CallKind.READ || failure.errorCode() == null) {
      // Any member can serve a read (also a search whose index is still being built on this member,
      // INDEX_UNAVAILABLE); and a member we cannot talk to cannot serve anything.
      return Decision.RETRY_NEXT;
    }
    switch (failure.errorCode()) {
      case "LEADER_NOT_READY":
      case "OVERLOADED":
        // The member is (becoming) the leader; going elsewhere would only earn a redirect back.
        return Decision.RETRY_SAME;
      default:
        return Decision.RETRY_NEXT;
    }
  }
}
