package io.quorumkv.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.quorumkv.client.Batch;
import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.client.SnapshotResult;
import io.quorumkv.client.Values;
import io.quorumkv.proto.v1.Member;
import io.quorumkv.server.Directories;
import io.quorumkv.server.config.LogSettings;
import io.quorumkv.server.config.SnapshotInstall;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Snapshots, log purging and snapshot install: a member that is behind the purged log, or that lost its
 * data, catches up by receiving the leader's snapshot and then follows the log.
 *
 * <p>At {@link TestScale scale} N the volumes are N times larger (600 N entries written while a follower is
 * down, 500 N before a data dir is wiped, 150 N before snapshots on request), and the stop / write / install
 * cycle runs {@link TestScale#rounds()} times (2 up to scale 5, 3 at 10), against a different follower each
 * time when it can.
 */
class SnapshotInstallIT {
  /** Snapshot every 200 entries, keep only 20 behind it, small segments: purging happens quickly. */
  private static final LogSettings FREQUENT = new LogSettings(200, 2, 20, 64 * 1024);
  /** The same with log.snapshot-install: member-fetches (Ratis' notification mode). */
  private static final LogSettings FREQUENT_MEMBER_FETCHES =
      new LogSettings(200, 2, 20, 64 * 1024, SnapshotInstall.MEMBER_FETCHES);

  private ClusterWithClient fixture;
  private MiniCluster cluster;
  private QuorumKvClient kv;

  @BeforeEach
  void start() throws Exception {
    fixture = ClusterWithClient.start(FREQUENT);
    cluster = fixture.cluster();
    kv = fixture.kv();
  }

  @AfterEach
  void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  private long writeEntries(String prefix, int entries) {
    long last = 0;
    for (int i = 0; i < entries; i++) {
      if (i % 10 == 0) {
        last = kv.batch(Batch.builder().put(prefix + i, Values.text("v" + i)).put(prefix + "x" + i, Values.text("x"))
            .build()).index();
      } else {
        kv.increment(prefix + "count", 1);
        last = kv.put(prefix + i, Values.text("v" + i)).index();
      }
    }
    return last;
  }

  @Test
  void aFollowerBehindThePurgedLogCatchesUpBySnapshotInstall() throws Exception {
    int cycles = TestScale.rounds();
    String previous = null;
    for (int cycle = 0; cycle < cycles; cycle++) {
      String follower = cluster.aFollower(previous, Duration.ofSeconds(10));
      installCycle(cycle, follower);
      previous = follower;
    }
  }

  /** Stops the follower, writes past the leader's purged log, starts it: it must catch up by install. */
  private void installCycle(int cycle, String follower) throws Exception {
    long followerApplied = writeEntries("early" + cycle + "/", 50);
    cluster.awaitApplied(follower, followerApplied, Duration.ofSeconds(10));
    cluster.stop(follower);

    long last = writeEntries("late" + cycle + "/", TestScale.times(600));
    String leader = cluster.awaitLeader(Duration.ofSeconds(10));
    Member leaderStatus = Replicas.status(cluster.endpoint(leader));
    assertThat(leaderStatus.getSnapshotIndex()).as("leader snapshot, cycle %d", cycle).isGreaterThan(followerApplied);
    assertThat(leaderStatus.getLogStartIndex()).as("leader purged its log past the follower, cycle %d", cycle)
        .isGreaterThan(followerApplied + 1);

    cluster.start(follower);
    cluster.awaitApplied(follower, last, TestScale.timeout(Duration.ofSeconds(60)));
    Member caughtUp = Replicas.status(cluster.endpoint(follower));
    // Its log starts after what it had: the entries in between can only have come in a snapshot.
    assertThat(caughtUp.getLogStartIndex()).as("follower %s log start, cycle %d", follower, cycle)
        .isGreaterThan(followerApplied + 1);
    assertThat(caughtUp.getSnapshotIndex()).as("follower %s snapshot, cycle %d", follower, cycle)
        .isGreaterThan(followerApplied);
    Replicas.assertSameData(cluster, follower, leader, last);
    System.out.printf("SnapshotInstallIT cycle %d: %s stopped at %d, caught up to %d via snapshot %d%n", cycle + 1,
        follower, followerApplied, last, caughtUp.getSnapshotIndex());

    // And it follows the log again afterwards.
    long after = kv.put("after/install" + cycle, Values.text("yes")).index();
    cluster.awaitApplied(follower, after, Duration.ofSeconds(10));
    Replicas.assertSameData(cluster, follower, leader, after);
  }

  @Test
  void withMemberFetchesAFollowerBehindThePurgedLogCopiesTheLeadersState() throws Exception {
    fixture.close();
    fixture = ClusterWithClient.start(FREQUENT_MEMBER_FETCHES);
    cluster = fixture.cluster();
    kv = fixture.kv();
    installCycle(0, cluster.aFollower(null, Duration.ofSeconds(10)));
  }

  @Test
  void aMemberWithAWipedDataDirIsRebuiltFromTheLeader() throws Exception {
    String follower = cluster.aFollower(null, Duration.ofSeconds(10));
    writeEntries("before/", TestScale.times(500));
    cluster.stop(follower);
    Directories.deleteRecursively(cluster.dataDir(follower));

    long last = writeEntries("after/", TestScale.times(50));
    cluster.start(follower);
    // A leader never resends what a follower once acknowledged; a new leader starts without that memory.
    kv.transferLeadership(null);
    cluster.awaitApplied(follower, last, TestScale.timeout(Duration.ofSeconds(60)));
    Replicas.assertSameData(cluster, follower, cluster.awaitLeader(Duration.ofSeconds(10)), last);
    // Nine entries in ten increment the counter.
    assertThat(Replicas.dump(cluster.endpoint(follower), last))
        .containsEntry("before/count", String.valueOf(TestScale.times(450)));
  }

  @Test
  void snapshotOnRequestPurgesTheLogOfEveryMember() throws Exception {
    long last = writeEntries("manual/", TestScale.times(150));
    for (String id : cluster.runningIds()) {
      cluster.awaitApplied(id, last, TestScale.timeout(Duration.ofSeconds(10)));
      SnapshotResult r = kv.admin().snapshot(cluster.endpoint(id));
      assertThat(r.member()).isEqualTo(id);
      assertThat(r.snapshotIndex()).isGreaterThanOrEqualTo(last);
      assertThat(Replicas.status(cluster.endpoint(id)).getSnapshotIndex()).isEqualTo(r.snapshotIndex());
    }
    // Restarting from a snapshot plus the log tail keeps everything, and INCR is not applied twice.
    for (String id : cluster.runningIds()) {
      cluster.restart(id);
    }
    cluster.awaitLeader(Duration.ofSeconds(30));
    assertThat(kv.get("manual/count").orElseThrow().value().getText()).isEqualTo(String.valueOf(TestScale.times(135)));
  }
}
