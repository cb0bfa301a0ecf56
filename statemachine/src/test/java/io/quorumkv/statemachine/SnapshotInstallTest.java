package io.quorumkv.statemachine;

import static io.quorumkv.statemachine.TestCommands.increment;
import static io.quorumkv.statemachine.TestCommands.put;
import static org.assertj.core.api.Assertions.assertThat;

import io.quorumkv.proto.internal.Command;
import io.quorumkv.proto.v1.KeyValue;
import io.quorumkv.statemachine.read.KeyRange;
import io.quorumkv.statemachine.read.ReadView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.ratis.protocol.ClientId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshot install between three real Ratis servers, in both of Ratis' modes: a follower that missed
 * entries the leader has purged gets the leader's state, ends up equal to it and keeps following the log.
 */
class SnapshotInstallTest {

  private static final ClientId CLIENT = ClientId.valueOf(UUID.fromString("00000000-0000-0000-0000-0000000000c3"));

  /** How the follower gets the leader's state. */
  enum Mode {
    /** Ratis streams the leader's snapshot files. */
    LEADER_SENT,
    /** Ratis only notifies; the follower fetches a checkpoint of the leader's store itself. */
    FETCHED
  }

  @TempDir
  Path root;

  private LocalRaftCluster cluster;
  private long nextCall = 1;
  private Random random;

  @AfterEach
  void stop() throws IOException {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** {@code count} random puts over a small key space, each followed by an increment of "n". */
  private long write(int count) throws Exception {
    List<Command> commands = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      commands.add(put("key" + random.nextInt(300), "v" + random.nextLong()));
      commands.add(increment("n", 1));
    }
    long first = nextCall;
    nextCall += commands.size();
    return cluster.submitAll(CLIENT, first, commands).getLogIndex();
  }

  private List<KeyValue> dump(String id, long index) throws Exception {
    KvStateMachine stateMachine = cluster.stateMachine(id);
    stateMachine.awaitApplied(index).get(60, TimeUnit.SECONDS);
    try (ReadView view = stateMachine.openReadView()) {
      return view.scan(KeyRange.ALL, Integer.MAX_VALUE, Long.MAX_VALUE, false).entries();
    }
  }

  private Path smDir(String id) {
    return cluster.dataDir(id).resolve("ratis").resolve(SingleNodeRaft.GROUP_ID.getUuid().toString()).resolve("sm");
  }

  /**
   * Whether {@code id} installed a snapshot in {@code mode} since it last started. Ratis writes an
   * {@code .md5} sidecar next to every file it receives in a leader-sent install, and only then.
   */
  private boolean installed(Mode mode, String id, int fetchesBefore) throws IOException {
    if (mode == Mode.FETCHED) {
      return cluster.fetchCount(id) > fetchesBefore;
    }
    try (Stream<Path> files = Files.walk(smDir(id))) {
      return files.anyMatch(file -> file.getFileName().toString().endsWith(".md5"));
    }
  }

  private void awaitPurgedBeyond(String leader, long index) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (cluster.division(leader).getRaftLog().getStartIndex() <= index + 1) {
      assertThat(System.nanoTime()).as("leader purged its log beyond %d", index).isLessThan(deadline);
      write(20);
    }
  }

  private void assertAllEqual(long index) throws Exception {
    List<KeyValue> expected = dump(cluster.ids().get(0), index);
    for (String id : cluster.ids()) {
      assertThat(dump(id, index)).as("key space of %s", id).isEqualTo(expected);
    }
    try (ReadView view = cluster.stateMachine(cluster.ids().get(0)).openReadView()) {
      assertThat(view.get(TestCommands.key("n"), false).orElseThrow().getValue().getText())
          .isEqualTo(Long.toString((nextCall - 1) / 2));
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aLaggingFollowerWithStaleOrEmptyDataInstallsTheLeadersSnapshot(Mode mode) throws Exception {
    long seed = TestSeeds.seed("SnapshotInstallTest " + mode);
    random = new Random(seed);
    cluster = LocalRaftCluster.create(root, 3, SnapshotSettings.snapshotEvery(100));
    if (mode == Mode.FETCHED) {
      cluster.withFetchedInstalls();
    }
    cluster.startAll();
    write(60);
    String leader = cluster.awaitLeader();
    String follower = cluster.ids().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();

    // 1. Stale data: the follower misses entries the leader then purges.
    long followerApplied = cluster.stateMachine(follower).lastAppliedIndex();
    long followerLogEnd = cluster.division(follower).getRaftLog().getNextIndex() - 1;
    cluster.stop(follower);
    write(150);
    awaitPurgedBeyond(leader, followerLogEnd);
    cluster.start(follower);
    long last = write(10);
    assertAllEqual(last);
    assertThat(installed(mode, follower, 0)).as("seed %d", seed).isTrue();
    assertThat(cluster.stateMachine(follower).getLatestSnapshot().getIndex()).isGreaterThan(followerApplied);

    // 2. No data at all: the follower's directories are wiped while it is down.
    cluster.stop(follower);
    int fetchesBeforeWipe = cluster.fetchCount(follower);
    deleteTree(cluster.dataDir(follower));
    long beforeWipe = write(150);
    awaitPurgedBeyond(cluster.awaitLeader(), 1);
    cluster.start(follower);
    last = write(10);
    assertAllEqual(last);
    assertThat(installed(mode, follower, fetchesBeforeWipe)).as("seed %d", seed).isTrue();
    assertThat(cluster.stateMachine(follower).getLatestSnapshot().getIndex()).isGreaterThan(beforeWipe - 200);

    // 3. It keeps following the log, and restarts on what it installed.
    cluster.stop(follower);
    cluster.start(follower);
    last = write(30);
    assertAllEqual(last);
  }
}
