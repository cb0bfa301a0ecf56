package io.quorumkv.client;

/**
 * A snapshot a member took on request.
 *
 * @param member        id of the member
 * @param snapshotIndex the applied index the snapshot reflects
 */
public record SnapshotResult(String member, long snapshotIndex) {}
