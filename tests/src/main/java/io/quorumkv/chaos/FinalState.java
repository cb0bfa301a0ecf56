package io.quorumkv.chaos;

import io.quorumkv.chaos.checker.ReplicaDigest;
import io.quorumkv.chaos.harness.ProcessCluster;
import io.quorumkv.chaos.workload.KeySpace;
import io.quorumkv.client.Entry;
import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.client.ReadOptions;
import io.quorumkv.client.ScanOptions;
import io.quorumkv.client.Values;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Reads what the checkers compare the history with, once the workload has stopped and the cluster healed. */
public final class FinalState {
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
  private static final long CATCH_UP_MILLIS = 60_000;

  private FinalState() {}

  /** Every unique key of the run with its value, by a linearizable scan. */
  public static Map<String, String> uniqueKeys(ProcessCluster cluster, KeySpace keys) {
    try (QuorumKvClient kv = client(cluster.clientEndpoints().toArray(String[]::new))) {
      return kv.scanAll(ScanOptions.builder().prefix(keys.uniquePrefix()).read(ReadOptions.linearizable()).build())
          .collect(Collectors.toMap(Entry::keyUtf8, e -> e.value().getText(), (a, b) -> b, TreeMap::new));
    }
  }

  /** The value of every counter key (absent keys are left out), by linearizable reads. */
  public static Map<String, String> counters(ProcessCluster cluster, KeySpace keys) {
    Map<String, String> values = new TreeMap<>();
    try (QuorumKvClient kv = client(cluster.clientEndpoints().toArray(String[]::new))) {
      for (int i = 0; i < keys.counters(); i++) {
        String key = keys.counter(i);
        kv.get(key).ifPresent(e -> values.put(key, e.value().getText()));
      }
    }
    return values;
  }

  /**
   * Writes a marker, waits until every member has applied it (or a minute has passed), and digests each
   * member's whole key space from its local state as of that index.
   */
  static Map<String, Optional<ReplicaDigest>> digests(ProcessCluster cluster, KeySpace keys)
      throws InterruptedException {
    return digests(cluster, keys, cluster.nodeIds());
  }

  /** {@link #digests(ProcessCluster, KeySpace)} of the members {@code ids} only (e.g. the current ones). */
  public static Map<String, Optional<ReplicaDigest>> digests(ProcessCluster cluster, KeySpace keys, List<String> ids)
      throws InterruptedException {
    long index;
    try (QuorumKvClient kv = client(cluster.clientEndpoints().toArray(String[]::new))) {
      index = kv.put(keys.prefix() + "end", Values.text("end")).index();
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CATCH_UP_MILLIS);
    while (!allApplied(cluster, ids, index) && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    Map<String, Optional<ReplicaDigest>> digests = new LinkedHashMap<>();
    for (String id : ids) {
      try (QuorumKvClient direct = client(cluster.config().requireNode(id).clientAddress())) {
        digests.put(id, Optional.of(ReplicaDigest.of(
            direct.scanAll(ScanOptions.builder().read(ReadOptions.stale(index)).build()).iterator())));
      } catch (RuntimeException e) {
        digests.put(id, Optional.empty());
      }
    }
    return digests;
  }

  private static boolean allApplied(ProcessCluster cluster, List<String> ids, long index) {
    Map<String, Long> applied = cluster.appliedIndexes();
    return ids.stream().allMatch(id -> applied.getOrDefault(id, -1L) >= index);
  }

  private static QuorumKvClient client(String... endpoints) {
    return QuorumKvClient.builder().endpoints(List.of(endpoints)).overallTimeout(READ_TIMEOUT).build();
  }
}
