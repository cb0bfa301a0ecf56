package io.quorumkv.statemachine.core;

import static io.quorumkv.statemachine.TestCommands.dump;
import static io.quorumkv.statemachine.TestCommands.increment;
import static io.quorumkv.statemachine.TestCommands.key;
import static io.quorumkv.statemachine.TestCommands.put;
import static io.quorumkv.statemachine.TestCommands.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.CoalescedOp;
import io.quorumkv.proto.internal.Command;
import io.quorumkv.proto.internal.CommandResult;
import io.quorumkv.proto.internal.Failure;
import io.quorumkv.proto.internal.SessionRules;
import io.quorumkv.proto.internal.StoredValue;
import io.quorumkv.proto.v1.KeyValue;
import io.quorumkv.proto.v1.WriteId;
import io.quorumkv.statemachine.TestSeeds;
import io.quorumkv.statemachine.storage.RocksKvStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Entries that carry several client writes: each applies as if it were an entry of its own. */
class CoalescedEntriesTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final SessionRules RULES = SessionRules.newBuilder().setMaxSessions(3).build();

  @TempDir
  Path dir;

  private static Command coalesced(Command... writes) {
    return Command.newBuilder().setCoalesced(CoalescedOp.newBuilder().addAllWrites(List.of(writes)))
        .setLeaderTimeMillis(T0).setSessionRules(RULES).build();
  }

  private static ByteString client(int n) {
    byte[] id = new byte[16];
    id[15] = (byte) n;
    return ByteString.copyFrom(id);
  }

  private static Command write(Command op, int client, long seq, long lowest, boolean newSession) {
    return op.toBuilder().setWriteId(WriteId.newBuilder().setClientId(client(client)).setSequence(seq)
        .setLowestUnanswered(lowest).setNewSession(newSession)).build();
  }

  @Test
  void writesApplyInOrderSeeEachOtherAndShareTheEntryIndex() {
    try (RocksKvStore store = RocksKvStore.open(dir.resolve("db"))) {
      KvCore core = new KvCore(store);
      CommandResult result = core.apply(coalesced(increment("n", 1), increment("n", 1), put("k", "a"),
          put("k", "b"), increment("n", 5)), 2, 7);

      List<CommandResult> results = result.getCoalesced().getResultsList();
      assertThat(results).hasSize(5);
      assertThat(results.get(0).getIncrement().getValue()).isEqualTo(1);
      assertThat(results.get(1).getIncrement().getValue()).isEqualTo(2);
      assertThat(results.get(2).getPut().getCreated()).isTrue();
      assertThat(results.get(3).getPut().getCreated()).isFalse();
      assertThat(results.get(4).getIncrement().getValue()).isEqualTo(7);
      StoredValue k = store.get(key("k")).orElseThrow();
      assertThat(k.getValue()).isEqualTo(text("b"));
      assertThat(k.getVersion()).isEqualTo(2);
      assertThat(k.getCreateIndex()).isEqualTo(7);
      assertThat(k.getModIndex()).isEqualTo(7);
      assertThat(store.applied().getIndex()).isEqualTo(7);
    }
  }

  @Test
  void aFailingWriteChangesNothingWhileTheOthersApply() {
    try (RocksKvStore store = RocksKvStore.open(dir.resolve("db"))) {
      KvCore core = new KvCore(store);
      List<CommandResult> results = core.apply(coalesced(put("t", "text"), increment("t", 1), put("a", "1"),
          coalesced(put("nested", "x"))), 1, 1).getCoalesced().getResultsList();

      assertThat(results.get(0).hasPut()).isTrue();
      assertThat(results.get(1).getFailure().getCode()).isEqualTo(Failure.Code.NOT_AN_INTEGER);
      assertThat(results.get(2).hasPut()).isTrue();
      assertThat(results.get(3).getFailure().getCode()).isEqualTo(Failure.Code.UNKNOWN_COMMAND);
      assertThat(dump(store)).extracting(kv -> kv.getKey().toStringUtf8()).containsExactly("a", "t");
      assertThat(store.get(key("t")).orElseThrow().getValue()).isEqualTo(text("text"));
    }
  }

  @Test
  void aRetryInTheSameEntryIsAnsweredWithTheFirstResultAndAReusedIdIsRefused() {
    try (RocksKvStore store = RocksKvStore.open(dir.resolve("db"))) {
      KvCore core = new KvCore(store);
      List<CommandResult> results = core.apply(coalesced(
          write(increment("n", 7), 1, 1, 1, true),
          write(increment("n", 7), 1, 1, 1, true),
          write(increment("n", 3), 1, 1, 1, true)), 1, 4).getCoalesced().getResultsList();

      assertThat(results.get(0).getIncrement().getValue()).isEqualTo(7);
      assertThat(results.get(1).getIncrement().getValue()).isEqualTo(7);
      assertThat(results.get(1).getOriginalIndex()).isEqualTo(4);
      assertThat(results.get(2).getFailure().getCode()).isEqualTo(Failure.Code.WRITE_ID_REUSED);
      assertThat(store.get(key("n")).orElseThrow().getValue()).isEqualTo(text("7"));
      // A retry in a later entry, and a replay of the entry after a restart, give the same answer.
      assertThat(core.apply(coalesced(write(increment("n", 7), 1, 1, 1, false)), 1, 5)
          .getCoalesced().getResults(0).getIncrement().getValue()).isEqualTo(7);
    }
    try (RocksKvStore store = RocksKvStore.open(dir.resolve("db"))) {
      List<CommandResult> replayed = new KvCore(store).apply(coalesced(
          write(increment("n", 7), 1, 1, 1, true), increment("n", 1)), 1, 4).getCoalesced().getResultsList();
      assertThat(replayed.get(0).getIncrement().getValue()).isEqualTo(7);
      assertThat(replayed.get(1).getFailure().getCode()).isEqualTo(Failure.Code.NOT_RETAINED);
      assertThat(store.get(key("n")).orElseThrow().getValue()).isEqualTo(text("7"));
    }
  }

  /**
   * The defining property: any grouping of a stream of client writes into entries gives every write the
   * same result, and the store the same keys, values and versions, as one write per entry. Sessions are
   * few (max 3 for 5 clients), so writes also meet evicted and reopened sessions inside one entry.
   */
  @Test
  void anyGroupingGivesTheSameResultsAndStateAsOneWritePerEntry() {
    long seed = TestSeeds.seed("CoalescedEntriesTest");
    Random random = new Random(seed);
    List<Command> writes = randomWrites(random, 2000);

    List<CommandResult> alone = new ArrayList<>();
    List<KeyValue> aloneState;
    try (RocksKvStore store = RocksKvStore.open(dir.resolve("alone"))) {
      KvCore core = new KvCore(store);
      long index = 0;
      for (Command w : writes) {
        alone.add(comparable(core.apply(w.toBuilder().setLeaderTimeMillis(T0).setSessionRules(RULES).build(),
            1, ++index)));
      }
      aloneState = comparableState(dump(store));
    }
    List<CommandResult> grouped = new ArrayList<>();
    List<KeyValue> groupedState;
    try (RocksKvStore store = RocksKvStore.open(dir.resolve("grouped"))) {
      KvCore core = new KvCore(store);
      long index = 0;
      for (int i = 0; i < writes.size(); ) {
        int n = Math.min(writes.size() - i, 1 + random.nextInt(8));
        CommandResult result = core.apply(coalesced(writes.subList(i, i + n).toArray(Command[]::new)), 1, ++index);
        result.getCoalesced().getResultsList().forEach(r -> grouped.add(comparable(r)));
        i += n;
      }
      groupedState = comparableState(dump(store));
    }
    for (int i = 0; i < writes.size(); i++) {
      assertThat(grouped.get(i)).as("seed %d, write %d: %s", seed, i, writes.get(i)).isEqualTo(alone.get(i));
    }
    assertThat(groupedState).as("seed %d", seed).isEqualTo(aloneState).isNotEmpty();
  }

  /** Five clients with overlapping windows, retries (same content) and reused ids (other content). */
  private static List<Command> randomWrites(Random random, int count) {
    long[] nextSeq = new long[5];
    List<Command> issued = new ArrayList<>();
    List<Command> writes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int c = random.nextInt(5);
      int kind = random.nextInt(10);
      if (kind == 0 && !issued.isEmpty()) {
        writes.add(issued.get(random.nextInt(issued.size())));
        continue;
      }
      Command op = switch (random.nextInt(3)) {
        case 0 -> put("k" + random.nextInt(6), Integer.toString(random.nextInt(50)));
        case 1 -> increment("k" + random.nextInt(6), random.nextInt(5));
        default -> Command.newBuilder().setDelete(
            io.quorumkv.proto.internal.DeleteOp.newBuilder().setKey(key("k" + random.nextInt(6)))).build();
      };
      if (kind == 1) {
        writes.add(op);
        continue;
      }
      long seq = kind == 2 && nextSeq[c] > 0 ? 1 + random.nextInt((int) nextSeq[c]) : ++nextSeq[c];
      long lowest = Math.max(1, seq - random.nextInt(4));
      Command w = write(op, c, seq, lowest, random.nextInt(3) != 0);
      issued.add(w);
      writes.add(w);
    }
    return writes;
  }

  /** A result without the indexes (also named in failure messages), which differ between groupings. */
  private static CommandResult comparable(CommandResult result) {
    CommandResult.Builder b = result.toBuilder().clearOriginalIndex();
    if (b.hasFailure()) {
      b.getFailureBuilder().clearMessage();
    }
    return b.build();
  }

  private static List<KeyValue> comparableState(List<KeyValue> kvs) {
    return kvs.stream().map(kv -> kv.toBuilder().clearCreateIndex().clearModIndex().build()).toList();
  }
}
