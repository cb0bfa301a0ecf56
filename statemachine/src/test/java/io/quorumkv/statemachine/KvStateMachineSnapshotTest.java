package io.quorumkv.statemachine;

import static io.quorumkv.statemachine.SingleNodeRaft.result;
import static io.quorumkv.statemachine.TestCommands.increment;
import static io.quorumkv.statemachine.TestCommands.key;
import static io.quorumkv.statemachine.TestCommands.put;
import static org.assertj.core.api.Assertions.assertThat;

import io.quorumkv.proto.v1.KeyValue;
import io.quorumkv.statemachine.read.KeyRange;
import io.quorumkv.statemachine.read.ReadView;
import io.quorumkv.statemachine.snapshot.LiveDbSwap;
import io.quorumkv.statemachine.storage.RocksKvStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.SnapshotManagementRequest;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshots of a {@link KvStateMachine} under a real single-node Ratis server, and restarts from them. */
class KvStateMachineSnapshotTest {

  private static final ClientId CLIENT = ClientId.valueOf(UUID.fromString("00000000-0000-0000-0000-0000000000c2"));

  @TempDir
  Path root;

  private final int port = freePort();
  private SingleNodeRaft node;
  private long nextCall = 1;

  private static int freePort() {
    try {
      return SingleNodeRaft.freePort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  private Path smDir() {
    return root.resolve("ratis").resolve(SingleNodeRaft.GROUP_ID.getUuid().toString()).resolve("sm");
  }

  private List<String> snapshotDirs() throws IOException {
    try (Stream<Path> entries = Files.list(smDir())) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** Puts key{i} and increments "n", {@code rounds} times, all in flight at once; returns the last index. */
  private long write(int rounds) throws Exception {
    List<CompletableFuture<RaftClientReply>> replies = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      long call = nextCall++;
      replies.add(node.submitAsync(CLIENT, 2 * call, put("key" + call, "v" + call)));
      replies.add(node.submitAsync(CLIENT, 2 * call + 1, increment("n", 1)));
    }
    long last = 0;
    for (CompletableFuture<RaftClientReply> reply : replies) {
      last = Math.max(last, reply.get(60, TimeUnit.SECONDS).getLogIndex());
      result(reply.get());
    }
    return last;
  }

  private List<KeyValue> dump() {
    try (ReadView view = node.stateMachine.openReadView()) {
      return view.scan(KeyRange.ALL, Integer.MAX_VALUE, Long.MAX_VALUE, false).entries();
    }
  }

  private long counter() {
    try (ReadView view = node.stateMachine.openReadView()) {
      return Long.parseLong(view.get(key("n"), false).orElseThrow().getValue().getText());
    }
  }

  private long requestSnapshot() throws IOException {
    RaftClientReply reply = node.server.snapshotManagement(SnapshotManagementRequest.newCreate(
        CLIENT, SingleNodeRaft.PEER_ID, SingleNodeRaft.GROUP_ID, nextCall++, 30_000, 1));
    assertThat(reply.isSuccess()).isTrue();
    return reply.getLogIndex();
  }

  /** A check that may throw. */
  private interface Condition {
    boolean holds() throws Exception;
  }

  private static void awaitTrue(String what, Condition condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.holds()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static void noSnapshotAtStop(RaftProperties properties) {
    RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(properties, false);
  }

  @Test
  void aSnapshotIsACheckpointOfExactlyTheAppliedState() throws Exception {
    node = SingleNodeRaft.start(root, port);
    long lastWrite = write(20);
    node.stateMachine.awaitApplied(lastWrite).get(10, TimeUnit.SECONDS);
    List<KeyValue> expected = dump();

    long index = requestSnapshot();

    // Ratis' metadata entries may have been applied since, without any store change.
    assertThat(index).isBetween(lastWrite, node.stateMachine.lastAppliedIndex());
    SnapshotInfo snapshot = node.stateMachine.getLatestSnapshot();
    assertThat(snapshot.getIndex()).isEqualTo(index);
    assertThat(node.stateMachine.getLatestSnapshot()).isSameAs(snapshot);
    String name = snapshot.getTerm() + "_" + index;
    assertThat(snapshotDirs()).containsExactly(name);
    assertThat(snapshot.getFiles()).extracting(file -> file.getPath().getParent()).containsOnly(smDir().resolve(name));
    assertThat(snapshot.getFiles()).extracting(file -> file.getPath().getFileName().toString())
        .contains("CURRENT").noneMatch(file -> file.startsWith("LOG"));
    for (FileInfo file : snapshot.getFiles()) {
      assertThat(file.getFileSize()).isEqualTo(Files.size(file.getPath()));
    }

    // The snapshot's files open (as a copy, like an install would) to the same data and applied index.
    Path copy = root.resolve("copy");
    LiveDbSwap.replace(smDir().resolve(name), copy);
    try (RocksKvStore store = RocksKvStore.open(copy)) {
      assertThat(store.applied().getIndex()).isEqualTo(index);
      assertThat(store.applied().getTerm()).isEqualTo(snapshot.getTerm());
      assertThat(TestCommands.dump(store)).isEqualTo(expected);
    }
  }

  @Test
  void autoSnapshotsPurgeTheLogKeepTwoAndRestartAppliesNothingTwice() throws Exception {
    Consumer<RaftProperties> settings = SnapshotSettings.snapshotEvery(50);
    node = SingleNodeRaft.start(root, port, settings);
    long lastWrite = write(200);
    node.stateMachine.awaitApplied(lastWrite).get(10, TimeUnit.SECONDS);
    List<KeyValue> before = dump();
    assertThat(counter()).isEqualTo(200);
    // Snapshots, cleanups and purges run on Ratis' threads, a little after the applies that trigger them.
    awaitTrue("log purged up to a snapshot",
        () -> node.server.getDivision(SingleNodeRaft.GROUP_ID).getRaftLog().getStartIndex() > 0);
    awaitTrue("two snapshots kept", () -> snapshotDirs().size() == 2);

    node.close();
    node = SingleNodeRaft.start(root, port, settings);
    node.stateMachine.awaitApplied(lastWrite).get(30, TimeUnit.SECONDS);

    assertThat(dump()).isEqualTo(before);
    assertThat(result(node.submit(CLIENT, nextCall * 2 + 1, increment("n", 1))).getIncrement().getValue())
        .isEqualTo(201);
  }

  @Test
  void aMissingLiveDbIsRebuiltFromTheSnapshotAndTheLogAfterIt() throws Exception {
    Consumer<RaftProperties> settings =
        SnapshotSettings.snapshotEvery(50).andThen(KvStateMachineSnapshotTest::noSnapshotAtStop);
    node = SingleNodeRaft.start(root, port, settings);
    long lastWrite = write(80);
    node.stateMachine.awaitApplied(lastWrite).get(10, TimeUnit.SECONDS);
    List<KeyValue> before = dump();
    // The snapshot at entry 50 is taken on Ratis' thread, a little after the apply that triggers it.
    awaitTrue("a snapshot taken", () -> node.stateMachine.getLatestSnapshot() != null);
    long snapshotIndex = node.stateMachine.getLatestSnapshot().getIndex();
    assertThat(snapshotIndex).isLessThan(lastWrite);
    node.close();

    try (Stream<Path> files = Files.walk(root.resolve("db"))) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    node = SingleNodeRaft.start(root, port, settings);
    node.stateMachine.awaitApplied(lastWrite).get(30, TimeUnit.SECONDS);

    assertThat(dump()).isEqualTo(before);
    assertThat(counter()).isEqualTo(80);
  }

  @Test
  void leftoversOfAnInterruptedSwapAndSnapshotAreCleanedAtStart() throws Exception {
    node = SingleNodeRaft.start(root, port);
    long lastWrite = write(10);
    requestSnapshot();
    node.stateMachine.awaitApplied(lastWrite).get(10, TimeUnit.SECONDS);
    List<KeyValue> before = dump();
    List<String> snapshots = snapshotDirs();
    node.close();

    // A crash between "db -> db.old" and "db.restore-tmp -> db", and during a snapshot.
    Files.move(root.resolve("db"), root.resolve("db.old"));
    Files.createDirectories(root.resolve("db.restore-tmp"));
    Files.writeString(root.resolve("db.restore-tmp").resolve("000009.sst"), "partial");
    Files.createDirectories(smDir().resolve(".tmp-9_999"));
    Files.writeString(smDir().resolve(".tmp-9_999").resolve("CURRENT"), "partial");

    node = SingleNodeRaft.start(root, port);
    node.stateMachine.awaitApplied(lastWrite).get(30, TimeUnit.SECONDS);

    assertThat(dump()).isEqualTo(before);
    assertThat(snapshotDirs()).isEqualTo(snapshots);
    assertThat(Files.exists(root.resolve("db.old"))).isFalse();
    assertThat(Files.exists(root.resolve("db.restore-tmp"))).isFalse();
    assertThat(counter()).isEqualTo(10);
  }
}
