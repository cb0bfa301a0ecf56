package io.quorumkv.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.quorumkv.client.Entry;
import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.client.QuorumKvException;
import io.quorumkv.client.ReadOptions;
import io.quorumkv.client.ScanOptions;
import io.quorumkv.client.UnavailableException;
import io.quorumkv.client.Values;
import io.quorumkv.proto.v1.Member;
import io.quorumkv.server.config.ClusterConfig;
import io.quorumkv.server.config.ClusterConfigReader;
import io.quorumkv.server.launch.ClusterProbe;
import io.quorumkv.server.launch.NodeProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three real member JVMs started from a cluster file. Concurrent writers record which writes were
 * acknowledged; the leader is SIGKILLed mid-run. Afterwards every acknowledged write is present with its
 * value, nothing appears that was never written, and the killed member, restarted, holds the same data.
 *
 * <p>At {@link TestScale scale} N &gt; 1 the writers keep going through N + 1 kill rounds: the leader is
 * killed in two rounds out of three, a follower in every third; each victim is restarted under load and
 * must catch up before the next round. At the end every member, each restarted at least once (or still
 * the survivor), must hold exactly the data a linearizable read returns.
 */
class ProcessKillIT {
  private static final int WRITERS = 4;
  /** Writes acknowledged before each kill, and after it (most of them only once a new leader took over). */
  private static final int WRITES_AROUND_EACH_KILL = 100;
  private final Map<String, NodeProcess> processes = new HashMap<>();

  @AfterEach
  void stopAll() throws InterruptedException {
    for (NodeProcess p : processes.values()) {
      if (p.isAlive()) {
        p.kill();
      }
    }
  }

  @Test
  void sigkillOfTheLeaderUnderLoadLosesNoAcknowledgedWrite() throws Exception {
    int rounds = TestScale.isLong() ? TestScale.scale() + 1 : 1;
    Duration catchUp = TestScale.timeout(Duration.ofSeconds(60));
    Path dir = TestSupport.newTestDir("process-");
    Path configFile = writeClusterFile(dir);
    ClusterConfig config = ClusterConfigReader.read(configFile);
    for (var node : config.nodes()) {
      processes.put(node.id(), NodeProcess.start(configFile, node.id(), dir.resolve(node.id() + ".log")));
    }
    List<String> endpoints = config.nodes().stream().map(n -> n.clientAddress()).toList();

    try (ClusterProbe probe = new ClusterProbe(config);
         QuorumKvClient kv = QuorumKvClient.builder().endpoints(endpoints)
             .attemptTimeout(Duration.ofSeconds(2)).overallTimeout(Duration.ofSeconds(20)).build()) {
      probe.awaitLeader(60_000).orElseThrow(() -> new AssertionError("no leader in 60 s"));

      Map<String, String> acked = new ConcurrentHashMap<>();
      Set<String> unknown = ConcurrentHashMap.newKeySet();
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong firstAckAfterKillNanos = new AtomicLong();
      AtomicLong killNanos = new AtomicLong(Long.MAX_VALUE);
      ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        writers.submit(() -> {
          for (long seq = 0; running.get(); seq++) {
            String key = "w" + writer + "/" + seq;
            String value = key + "@" + System.nanoTime();
            try {
              kv.put(key, Values.text(value));
              acked.put(key, value);
              long now = System.nanoTime();
              if (now > killNanos.get()) {
                firstAckAfterKillNanos.compareAndSet(0, now);
              }
            } catch (UnavailableException e) {
              unknown.add(key);
            } catch (QuorumKvException e) {
              unknown.add(key);
            }
          }
        });
      }

      String victim = null;
      int leaderKills = 0;
      for (int round = 0; round < rounds; round++) {
        int ackedAtRoundStart = acked.size();
        TestSupport.await("writes acknowledged before kill " + (round + 1), catchUp,
            () -> acked.size() >= ackedAtRoundStart + WRITES_AROUND_EACH_KILL);
        String leader = probe.awaitLeader(60_000).orElseThrow(() -> new AssertionError("no leader in 60 s"));
        boolean killLeader = round % 3 != 2;
        victim = killLeader ? leader : config.nodes().stream().map(n -> n.id()).filter(id -> !id.equals(leader))
            .findFirst().orElseThrow();
        int ackedBeforeKill = acked.size();
        firstAckAfterKillNanos.set(0);
        killNanos.set(System.nanoTime());
        processes.get(victim).kill();
        leaderKills += killLeader ? 1 : 0;
        TestSupport.await("writes acknowledged after kill " + (round + 1), catchUp,
            () -> acked.size() >= ackedBeforeKill + WRITES_AROUND_EACH_KILL);
        int ackedAfterKill = acked.size();
        long firstAckAfterKill = firstAckAfterKillNanos.get();
        long killedAt = killNanos.getAndSet(Long.MAX_VALUE); // well before the next round resets the first ack

        long failoverMillis = firstAckAfterKill == 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(firstAckAfterKill - killedAt);
        System.out.printf("ProcessKillIT round %d/%d: acked %d (%d before the kill), unknown %d, killed %s %s, "
                + "first ack after kill %d ms%n", round + 1, rounds, ackedAfterKill, ackedBeforeKill, unknown.size(),
            killLeader ? "leader" : "follower", victim, failoverMillis);
        assertThat(ackedBeforeKill).as("writes acknowledged before kill %d", round + 1).isPositive();
        assertThat(ackedAfterKill).as("writes continue after kill %d", round + 1).isGreaterThan(ackedBeforeKill);

        if (round < rounds - 1) {
          // Back under load; it must have caught up before the next round kills another member.
          Path log = dir.resolve(victim + "-restart" + round + ".log");
          processes.put(victim, NodeProcess.start(configFile, victim, log));
          long target = kv.put("round/" + round, Values.text("restarted " + victim)).index();
          awaitApplied(probe, victim, target, catchUp);
        }
      }
      running.set(false);
      writers.shutdown();
      assertThat(writers.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
      System.out.printf("ProcessKillIT: %d rounds, %d leader kills, acked %d, unknown %d%n", rounds, leaderKills,
          acked.size(), unknown.size());

      Map<String, String> present = readAll(kv, ReadOptions.linearizable());
      assertNoLossAndNoPhantoms(acked, unknown, present);

      // The last killed member comes back from its log; every member holds exactly the same data.
      processes.put(victim, NodeProcess.start(configFile, victim, dir.resolve(victim + "-restart.log")));
      long target = kv.put("final/marker", Values.text("done")).index();
      for (var node : config.nodes()) {
        awaitApplied(probe, node.id(), target, catchUp);
        try (QuorumKvClient direct = QuorumKvClient.builder().endpoints(node.clientAddress()).build()) {
          Map<String, String> onMember = readAll(direct, ReadOptions.stale(target));
          assertThat(onMember).as("data on %s", node.id()).isEqualTo(present);
        }
      }
    }
  }

  private static void assertNoLossAndNoPhantoms(Map<String, String> acked, Set<String> unknown,
      Map<String, String> present) {
    List<String> lost = new ArrayList<>();
    for (Map.Entry<String, String> e : acked.entrySet()) {
      if (!e.getValue().equals(present.get(e.getKey()))) {
        lost.add(e.getKey() + " expected " + e.getValue() + " found " + present.get(e.getKey()));
      }
    }
    assertThat(lost).as("acknowledged writes missing or changed").isEmpty();
    Set<String> phantoms = present.keySet().stream()
        .filter(k -> !acked.containsKey(k) && !unknown.contains(k)).collect(Collectors.toSet());
    assertThat(phantoms).as("keys present that were never written").isEmpty();
  }

  private static Map<String, String> readAll(QuorumKvClient kv, ReadOptions read) {
    return kv.scanAll(ScanOptions.builder().prefix("w").read(read).build())
        .collect(Collectors.toMap(Entry::keyUtf8, e -> e.value().getText()));
  }

  private static void awaitApplied(ClusterProbe probe, String nodeId, long index, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (probe.status(nodeId).map(Member::getAppliedIndex).orElse(0L) >= index) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(nodeId + " did not apply index " + index + " within " + timeout + " after restart");
  }

  private static Path writeClusterFile(Path dir) throws IOException {
    StringBuilder yaml = new StringBuilder("cluster:\n  name: process-kill\n  data-dir: " + dir.resolve("data") + "\n"
        + "raft:\n  election-timeout-min: 500ms\n  election-timeout-max: 1000ms\nnodes:\n");
    for (int i = 1; i <= 3; i++) {
      yaml.append("  - {id: n").append(i).append(", raft-port: ").append(TestSupport.freePort())
          .append(", client-port: ").append(TestSupport.freePort()).append("}\n");
    }
    Path file = dir.resolve("cluster.yaml");
    Files.writeString(file, yaml);
    return file;
  }

}
