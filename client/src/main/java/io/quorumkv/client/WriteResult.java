package io.quorumkv.client;

/**
 * The outcome of a put.
 *
 * @param index Raft log index at which the write was applied; pass it to {@link ReadOptions#stale(long)}
 *     to read your own write from any member
 * @param created true if the key did not exist before
 */
public record WriteResult(long index, boolean created) {}
