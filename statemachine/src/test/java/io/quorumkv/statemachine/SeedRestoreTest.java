package io.quorumkv.statemachine;

import static io.quorumkv.statemachine.SingleNodeRaft.result;
import static io.quorumkv.statemachine.TestCommands.increment;
import static io.quorumkv.statemachine.TestCommands.key;
import static io.quorumkv.statemachine.TestCommands.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quorumkv.proto.internal.Command;
import io.quorumkv.proto.v1.KeyValue;
import io.quorumkv.statemachine.read.KeyRange;
import io.quorumkv.statemachine.read.ReadView;
import io.quorumkv.statemachine.snapshot.BackupCheckpoint;
import io.quorumkv.statemachine.snapshot.SeedRestore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.server.protocol.TermIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SeedRestore}: members prepared from a backup start as real Ratis members holding its data. */
class SeedRestoreTest {

  private static final ClientId CLIENT = ClientId.valueOf(UUID.fromString("00000000-0000-0000-0000-0000000000c5"));
  private static final UUID GROUP = SingleNodeRaft.GROUP_ID.getUuid();

  @TempDir
  Path root;

  private long nextCall = 1;

  private static List<KeyValue> dump(KvStateMachine stateMachine) {
    try (ReadView view = stateMachine.openReadView()) {
      return view.scan(KeyRange.ALL, Integer.MAX_VALUE, Long.MAX_VALUE, false).entries();
    }
  }

  private static String counter(KvStateMachine stateMachine) {
    try (ReadView view = stateMachine.openReadView()) {
      return view.get(key("n"), false).orElseThrow().getValue().getText();
    }
  }

  private List<Command> rounds(int count) {
    List<Command> commands = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      commands.add(put("key" + (nextCall + i), "v"));
      commands.add(increment("n", 1));
    }
    return commands;
  }

  private long write(SingleNodeRaft node, int count) throws Exception {
    long last = 0;
    for (Command command : rounds(count)) {
      last = node.submitAsync(CLIENT, nextCall++, command).get(30, TimeUnit.SECONDS).getLogIndex();
    }
    return last;
  }

  /** A populated member (snapshots taken, log purged) backed up, then stopped. */
  private record Source(BackupCheckpoint backup, List<KeyValue> data) {}

  private Source backupOfAPopulatedMember() throws Exception {
    try (SingleNodeRaft source = SingleNodeRaft.start(root.resolve("source"), SingleNodeRaft.freePort(),
        SnapshotSettings.snapshotEvery(50))) {
      long last = write(source, 60);
      source.stateMachine.awaitApplied(last).get(10, TimeUnit.SECONDS);
      BackupCheckpoint backup = source.stateMachine.checkpointForBackup(root.resolve("backup"));
      assertThat(backup.index()).isEqualTo(last);
      return new Source(backup, dump(source.stateMachine));
    }
  }

  private static Path groupDir(Path memberRoot) {
    return memberRoot.resolve("ratis").resolve(GROUP.toString());
  }

  @Test
  void aSingleNodeSeededFromABackupHoldsItsDataAndContinuesTheLog() throws Exception {
    Source source = backupOfAPopulatedMember();
    Path seed = root.resolve("seed");
    int port = SingleNodeRaft.freePort();

    assertThat(SeedRestore.prepare(source.backup().dir(), seed.resolve("db"), seed.resolve("ratis"), GROUP))
        .isEqualTo(TermIndex.valueOf(source.backup().term(), source.backup().index()));
    assertThat(groupDir(seed).resolve("sm").resolve(source.backup().term() + "_" + source.backup().index()))
        .isDirectory();

    try (SingleNodeRaft node = SingleNodeRaft.start(seed, port, SnapshotSettings.snapshotEvery(50))) {
      assertThat(dump(node.stateMachine)).isEqualTo(source.data());
      RaftClientReply reply = node.submit(CLIENT, nextCall++, increment("n", 1));
      assertThat(reply.getLogIndex()).isGreaterThan(source.backup().index());
      assertThat(result(reply).getIncrement().getValue()).isEqualTo(61);
      long last = write(node, 70);
      node.stateMachine.awaitApplied(last).get(10, TimeUnit.SECONDS);
      assertThat(node.stateMachine.getLatestSnapshot().getIndex()).isGreaterThan(source.backup().index());
    }
    try (SingleNodeRaft node = SingleNodeRaft.start(seed, port, SnapshotSettings.snapshotEvery(50))) {
      assertThat(result(node.submit(CLIENT, nextCall++, increment("n", 1))).getIncrement().getValue()).isEqualTo(132);
      assertThat(dump(node.stateMachine)).containsAll(source.data().stream()
          .filter(kv -> !kv.getKey().equals(key("n"))).toList());
    }
  }

  @Test
  void threeMembersSeededFromTheSameBackupFormAGroupWithItsData() throws Exception {
    Source source = backupOfAPopulatedMember();
    try (LocalRaftCluster cluster = LocalRaftCluster.create(root.resolve("cluster"), 3, properties -> { })) {
      for (String id : cluster.ids()) {
        SeedRestore.prepare(source.backup().dir(), cluster.dataDir(id).resolve("db"),
            cluster.dataDir(id).resolve("ratis"), GROUP);
      }
      cluster.startAll();
      RaftClientReply last = cluster.submitAll(CLIENT, nextCall, rounds(5));
      nextCall += 10;
      assertThat(last.getLogIndex()).isGreaterThan(source.backup().index());
      List<KeyValue> expected = null;
      for (String id : cluster.ids()) {
        KvStateMachine stateMachine = cluster.stateMachine(id);
        stateMachine.awaitApplied(last.getLogIndex()).get(30, TimeUnit.SECONDS);
        assertThat(counter(stateMachine)).isEqualTo("65");
        assertThat(dump(stateMachine)).containsAll(source.data().stream()
            .filter(kv -> !kv.getKey().equals(key("n"))).toList());
        if (expected == null) {
          expected = dump(stateMachine);
        }
        assertThat(dump(stateMachine)).isEqualTo(expected);
      }
    }
  }

  @Test
  void prepareRefusesALayoutThatIsNotEmpty() throws Exception {
    Source source = backupOfAPopulatedMember();
    Path used = root.resolve("used");
    Files.createDirectories(used.resolve("db"));
    Files.writeString(used.resolve("db").resolve("CURRENT"), "x");
    Path backup = source.backup().dir();
    assertThatThrownBy(() -> SeedRestore.prepare(backup, used.resolve("db"), used.resolve("ratis"), GROUP))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not empty");
    Files.createDirectories(groupDir(used));
    assertThatThrownBy(() -> SeedRestore.prepare(backup, used.resolve("db2"), used.resolve("ratis"), GROUP))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already exists");
  }

  /**
   * Why {@link SeedRestore} writes {@code current/raft-meta}: without it Ratis' RECOVER formats the group
   * directory and deletes {@code sm/}, and the snapshot is lost.
   */
  @Test
  void ratisRecoverWipesAGroupDirectoryWithoutRaftMeta() throws Exception {
    Source source = backupOfAPopulatedMember();
    Path seed = root.resolve("seed");
    SeedRestore.prepare(source.backup().dir(), seed.resolve("db"), seed.resolve("ratis"), GROUP);
    try (Stream<Path> files = Files.walk(groupDir(seed).resolve("current"))) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }

    try (SingleNodeRaft node = SingleNodeRaft.start(seed, SingleNodeRaft.freePort())) {
      assertThat(node.stateMachine.getLatestSnapshot()).isNull();
      try (Stream<Path> files = Files.list(groupDir(seed).resolve("sm"))) {
        assertThat(files).isEmpty();
      }
    }
  }
}
