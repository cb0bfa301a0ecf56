package io.quorumkv.server.raft;

import io.quorumkv.proto.internal.CommandResult;

/** A committed and applied write: what the state machine returned and the log index it was applied at. */
public record WriteOutcome(CommandResult result, long logIndex) {}
