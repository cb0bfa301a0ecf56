package io.quorumkv.client;

/**
 * The outcome of creating a search index.
 *
 * @param index Raft log index of the write; a search with {@link ReadOptions#stale(long)} of it observes
 *     the index definition on any member (the index itself may still be building there)
 * @param created false if an index with an equal spec existed already
 */
public record CreateIndexResult(long index, boolean created) {}
