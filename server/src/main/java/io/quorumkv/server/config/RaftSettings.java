package io.quorumkv.server.config;

import java.time.Duration;

/**
 * Raft timing shared by every member.
 *
 * @param electionTimeoutMin a follower that hears no heartbeat for a random time in [min, max] starts an
 *                           election; the leader heartbeats every min/2
 * @param electionTimeoutMax see electionTimeoutMin
 * @param requestTimeout     timeout of one Raft RPC between members
 * @param retryCacheExpiry   how long Ratis' in-memory retry cache keeps each write's reply. QuorumKV never
 *                           repeats a Ratis call id (exactly-once comes from the client sessions in the
 *                           state machine), so nothing is ever answered from this cache: it only costs
 *                           memory, the write rate times this
 * @param readTimeout        how long a linearizable read on a follower waits to catch up with the leader
 */
/*
 * Defaults: a follower notices a dead leader after one to two election timeouts (Ratis' follower sleeps a
 * whole random timeout before it checks, and checks again after another), so [300, 600] ms resolves a
 * leader kill in about 0.5-1 s. Heartbeats every 150 ms stay far above the pauses of the small-heap
 * serial GC members run with (no needless election in 80 s of put @ 256 on 2 shared cores). Raise both on
 * machines with long GC pauses or slow disks.
 */
public record RaftSettings(
    Duration electionTimeoutMin,
    Duration electionTimeoutMax,
    Duration requestTimeout,
    Duration retryCacheExpiry,
    Duration readTimeout) {

  public static final RaftSettings DEFAULTS = new RaftSettings(
      Duration.ofMillis(300), Duration.ofMillis(600), Duration.ofSeconds(3), Duration.ofSeconds(1),
      Duration.ofSeconds(10));

  public RaftSettings {
    if (electionTimeoutMin.toMillis() < 50) {
      throw new ConfigException("raft.election-timeout-min must be at least 50ms");
    }
    if (electionTimeoutMax.compareTo(electionTimeoutMin) <= 0) {
      throw new ConfigException("raft.election-timeout-max must exceed raft.election-timeout-min");
    }
  }
}
