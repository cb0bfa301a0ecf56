package io.quorumkv.client;

/**
 * The outcome of a batch, applied all-or-nothing as one log entry.
 *
 * @param index Raft log index at which the batch was applied
 * @param appliedOperations number of operations applied (all of them)
 * @param deletedKeys number of deletes that removed an existing key
 */
public record BatchResult(long index, int appliedOperations, int deletedKeys) {}
