package io.quorumkv.server.config;

/**
 * How the leader proposes client writes: concurrent writes share log entries (see
 * {@code io.quorumkv.server.raft.WriteCoalescer}).
 *
 * @param maxEntriesInFlight entries the leader replicates at a time; writes arriving while all are in
 *                           flight wait and are proposed together in the next entry. Fewer means fuller
 *                           entries (less CPU per write under load), more means less waiting
 * @param maxWritesPerEntry  client writes one entry carries at most (1: every write its own entry)
 * @param maxQueuedWrites    writes that may wait for an entry; beyond that a write fails at once with
 *                           OVERLOADED instead of queueing without bound
 */
public record WriteSettings(int maxEntriesInFlight, int maxWritesPerEntry, int maxQueuedWrites) {

  public static final WriteSettings DEFAULTS = new WriteSettings(1, 512, 20_000);

  public WriteSettings {
    if (maxEntriesInFlight < 1) {
      throw new ConfigException("writes.max-entries-in-flight must be at least 1");
    }
    if (maxWritesPerEntry < 1) {
      throw new ConfigException("writes.max-writes-per-entry must be at least 1");
    }
    if (maxQueuedWrites < 1) {
      throw new ConfigException("writes.max-queued-writes must be at least 1");
    }
  }
}
