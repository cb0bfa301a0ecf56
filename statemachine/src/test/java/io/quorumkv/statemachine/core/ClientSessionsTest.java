package io.quorumkv.statemachine.core;

import static io.quorumkv.statemachine.TestCommands.dump;
import static io.quorumkv.statemachine.TestCommands.increment;
import static io.quorumkv.statemachine.TestCommands.key;
import static io.quorumkv.statemachine.TestCommands.put;
import static io.quorumkv.statemachine.TestCommands.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.ClientSession;
import io.quorumkv.proto.internal.Command;
import io.quorumkv.proto.internal.CommandResult;
import io.quorumkv.proto.internal.Failure;
import io.quorumkv.proto.internal.SessionRules;
import io.quorumkv.proto.v1.WriteId;
import io.quorumkv.statemachine.TestSeeds;
import io.quorumkv.statemachine.storage.KvStore;
import io.quorumkv.statemachine.storage.RocksKvStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client sessions in the deterministic core: exactly-once, discarding, expiry by log time, durability. */
class ClientSessionsTest {
  private static final long MINUTE = 60_000;
  private static final long T0 = 1_700_000_000_000L;
  private static final SessionRules RULES =
      SessionRules.newBuilder().setExpireAfterMillis(10 * MINUTE).setMaxSessions(1000).build();

  @TempDir
  Path dir;

  private RocksKvStore store;
  private KvCore core;
  private long index;

  @BeforeEach
  void open() {
    store = RocksKvStore.open(dir.resolve("db"));
    core = new KvCore(store);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static ByteString client(int n) {
    byte[] id = new byte[16];
    id[15] = (byte) n;
    id[0] = (byte) (n >> 8);
    return ByteString.copyFrom(id);
  }

  /** {@code command} as client {@code c}'s write {@code seq}, proposed at {@code time}. */
  static Command write(Command command, ByteString c, long seq, long lowest, boolean newSession, long time,
      SessionRules rules) {
    return command.toBuilder()
        .setWriteId(WriteId.newBuilder().setClientId(c).setSequence(seq).setLowestUnanswered(lowest)
            .setNewSession(newSession))
        .setLeaderTimeMillis(time).setSessionRules(rules).build();
  }

  private CommandResult apply(Command command) {
    return core.apply(command, 1, ++index);
  }

  private CommandResult apply(Command command, ByteString c, long seq, long lowest, boolean newSession, long time) {
    return apply(write(command, c, seq, lowest, newSession, time, RULES));
  }

  private long counter(String key) {
    return Long.parseLong(store.get(key(key)).orElseThrow().getValue().getText());
  }

  @Test
  void aRepeatedWriteAnswersItsFirstResultAndChangesNothing() {
    CommandResult first = apply(increment("n", 7), client(1), 1, 1, true, T0);
    long appliedAt = index;
    CommandResult again = apply(increment("n", 7), client(1), 1, 1, true, T0 + 5);

    assertThat(first.getIncrement().getValue()).isEqualTo(7);
    assertThat(again.getIncrement().getValue()).isEqualTo(7);
    assertThat(again.getOriginalIndex()).isEqualTo(appliedAt);
    assertThat(counter("n")).isEqualTo(7);
    assertThat(store.get(key("n")).orElseThrow().getModIndex()).isEqualTo(appliedAt);
    // A new sequence is a new write.
    assertThat(apply(increment("n", 7), client(1), 2, 2, false, T0 + 6).getIncrement().getValue()).isEqualTo(14);
  }

  @Test
  void aWriteIdReusedForADifferentWriteIsRefused() {
    apply(put("k", "first"), client(1), 1, 1, true, T0);
    CommandResult otherValue = apply(put("k", "second"), client(1), 1, 1, true, T0);
    CommandResult otherOp = apply(increment("k", 1), client(1), 1, 1, true, T0);

    assertThat(otherValue.getFailure().getCode()).isEqualTo(Failure.Code.WRITE_ID_REUSED);
    assertThat(otherOp.getFailure().getCode()).isEqualTo(Failure.Code.WRITE_ID_REUSED);
    assertThat(store.get(key("k")).orElseThrow().getValue()).isEqualTo(text("first"));
  }

  @Test
  void resultsBelowTheLowestUnansweredAreDiscardedAndTheirRetriesRefused() {
    // Three writes in flight (lowest unanswered 1), applied out of order.
    apply(increment("n", 1), client(1), 3, 1, true, T0);
    apply(increment("n", 1), client(1), 1, 1, true, T0);
    apply(increment("n", 1), client(1), 2, 1, true, T0);
    assertThat(store.sessionResult(client(1), 1)).isPresent();
    // Write 4 says 1 and 2 were answered, 3 not yet.
    apply(increment("n", 1), client(1), 4, 3, false, T0);

    assertThat(store.sessionResult(client(1), 1)).isEmpty();
    assertThat(store.sessionResult(client(1), 2)).isEmpty();
    assertThat(apply(increment("n", 1), client(1), 1, 1, false, T0).getFailure().getCode())
        .isEqualTo(Failure.Code.RESULT_DISCARDED);
    assertThat(apply(increment("n", 1), client(1), 3, 1, false, T0).getIncrement().getValue()).isEqualTo(1);
    assertThat(counter("n")).isEqualTo(4);
  }

  @Test
  void aClientWithoutASessionMustOpenOne() {
    CommandResult refused = apply(put("k", "v"), client(9), 5, 5, false, T0);
    assertThat(refused.getFailure().getCode()).isEqualTo(Failure.Code.SESSION_EXPIRED);
    assertThat(store.get(key("k"))).isEmpty();
    assertThat(core.sessionCount()).isZero();

    // Writes without a client id need no session.
    assertThat(apply(put("k", "v")).hasPut()).isTrue();
  }

  @Test
  void idleSessionsExpireByLogTimeAndTheirRetriesFailClearly() {
    apply(increment("n", 1), client(1), 1, 1, true, T0);
    apply(increment("n", 1), client(2), 1, 1, true, T0 + 5 * MINUTE);
    // Another client's write moves the log clock past client 1's expiry, not client 2's.
    apply(put("other", "x"), client(3), 1, 1, true, T0 + 10 * MINUTE + 1);

    assertThat(core.sessionCount()).isEqualTo(2);
    assertThat(store.sessionResult(client(1), 1)).isEmpty();
    CommandResult retry = apply(increment("n", 1), client(1), 1, 1, false, T0 + 10 * MINUTE + 2);
    assertThat(retry.getFailure().getCode()).isEqualTo(Failure.Code.SESSION_EXPIRED);
    assertThat(apply(increment("n", 1), client(2), 1, 1, false, T0 + 10 * MINUTE + 3).getOriginalIndex())
        .isEqualTo(2);
    assertThat(counter("n")).isEqualTo(2);
  }

  @Test
  void theLogClockNeverGoesBackAcrossLeaders() {
    apply(put("a", "1"), client(1), 1, 1, true, T0 + 20 * MINUTE);
    // A later leader whose clock is behind: its entries do not rewind time.
    apply(put("b", "1"), client(2), 1, 1, true, T0);
    assertThat(store.logClockMillis()).isEqualTo(T0 + 20 * MINUTE);
    List<Long> lastActive = new ArrayList<>();
    store.forEachSession((c, s) -> lastActive.add(s.getLastActiveMillis()));
    assertThat(lastActive).containsOnly(T0 + 20 * MINUTE);
  }

  @Test
  void openingASessionBeyondTheMaximumExpiresTheLongestIdle() {
    SessionRules two = RULES.toBuilder().setMaxSessions(2).build();
    apply(write(put("a", "1"), client(1), 1, 1, true, T0 + 2, two));
    apply(write(put("b", "1"), client(2), 1, 1, true, T0 + 1, two));
    apply(write(put("a", "2"), client(1), 2, 2, false, T0 + 3, two));
    apply(write(put("c", "1"), client(3), 1, 1, true, T0 + 4, two));

    List<ByteString> left = new ArrayList<>();
    store.forEachSession((c, s) -> left.add(c));
    assertThat(left).containsExactly(client(1), client(3));
  }

  @Test
  void sessionsSurviveARestartAndTravelInCheckpoints() {
    apply(increment("n", 7), client(1), 1, 1, true, T0);
    long appliedAt = index;
    Path checkpoint = dir.resolve("checkpoint");
    store.checkpoint(checkpoint);
    store.close();

    for (Path copy : List.of(dir.resolve("db"), checkpoint)) {
      store = RocksKvStore.open(copy);
      core = new KvCore(store);
      CommandResult retry = core.apply(write(increment("n", 7), client(1), 1, 1, true, T0 + 1, RULES), 1,
          store.applied().getIndex() + 1);
      assertThat(retry.getIncrement().getValue()).as(copy.toString()).isEqualTo(7);
      assertThat(retry.getOriginalIndex()).isEqualTo(appliedAt);
      assertThat(counter("n")).isEqualTo(7);
      store.close();
    }
    store = RocksKvStore.open(dir.resolve("db"));
  }

  @Test
  void aReplayedEntryAnswersWhatARetryWouldGetNow() {
    Command first = write(increment("n", 7), client(1), 1, 1, true, T0, RULES);
    apply(first);
    apply(write(increment("n", 1), client(1), 2, 2, false, T0, RULES));
    store.close();
    store = RocksKvStore.open(dir.resolve("db"));
    core = new KvCore(store);

    assertThat(core.apply(first, 1, 1).getFailure().getCode()).isEqualTo(Failure.Code.RESULT_DISCARDED);
    assertThat(core.apply(write(increment("n", 1), client(1), 2, 2, false, T0, RULES), 1, 2).getIncrement()
        .getValue()).isEqualTo(8);
    assertThat(counter("n")).isEqualTo(8);
  }

  /** Random clients with retries, pipelining and clock skew: every member ends with the same sessions. */
  @Test
  void everyMemberHoldsTheSameSessions() {
    long seed = TestSeeds.seed("ClientSessionsTest");
    Random random = new Random(seed);
    SessionRules rules = RULES.toBuilder().setMaxSessions(5).setExpireAfterMillis(3 * MINUTE).build();
    List<Command> log = new ArrayList<>();
    List<List<Command>> sent = new ArrayList<>();
    for (int c = 0; c < 8; c++) {
      sent.add(new ArrayList<>());
    }
    long time = T0;
    for (int i = 0; i < 2000; i++) {
      int c = random.nextInt(8);
      time += random.nextInt(20_000) - 5_000;
      List<Command> mine = sent.get(c);
      if (!mine.isEmpty() && random.nextInt(4) == 0) {
        // A retry of one of the client's recent writes, re-sent unchanged.
        log.add(mine.get(Math.max(0, mine.size() - 1 - random.nextInt(3))));
        continue;
      }
      long seq = mine.size() + 1;
      long lowest = Math.max(1, seq - random.nextInt(4));
      Command op = random.nextBoolean() ? increment("k" + random.nextInt(5), 1) : put("k" + random.nextInt(5), "v");
      Command command = write(op, client(c), seq, lowest, seq <= 3, time, rules);
      mine.add(command);
      log.add(command);
    }
    List<String> digests = new ArrayList<>();
    List<List<CommandResult>> results = new ArrayList<>();
    for (String member : List.of("m1", "m2")) {
      try (RocksKvStore replica = RocksKvStore.open(dir.resolve(member))) {
        KvCore memberCore = new KvCore(replica);
        List<CommandResult> memberResults = new ArrayList<>();
        for (int i = 0; i < log.size(); i++) {
          memberResults.add(memberCore.apply(log.get(i), 1, i + 1));
        }
        results.add(memberResults);
        digests.add(sessionDigest(replica) + dump(replica));
      }
    }
    assertThat(digests.get(1)).as("seed %d", seed).isEqualTo(digests.get(0));
    assertThat(results.get(1)).as("seed %d", seed).isEqualTo(results.get(0));
    assertThat(results.get(0)).as("seed %d: some writes repeat, some sessions expire", seed)
        .anySatisfy(r -> assertThat(r.getOriginalIndex()).isPositive())
        .anySatisfy(r -> assertThat(r.getFailure().getCode()).isEqualTo(Failure.Code.SESSION_EXPIRED));
  }

  /** Every session header and every kept result, in order. */
  private static String sessionDigest(KvStore replica) {
    StringBuilder digest = new StringBuilder();
    replica.forEachSession((c, s) -> {
      digest.append(c.toStringUtf8().hashCode()).append(':').append(s.toString().replace('\n', ' '));
      for (long seq = s.getLowestUnanswered(); seq <= s.getHighestSequence(); seq++) {
        replica.sessionResult(c, seq).ifPresent(r -> digest.append('|').append(r.toString().replace('\n', ' ')));
      }
      digest.append('\n');
    });
    return digest.toString();
  }

  @Test
  void sessionHeadersRecordTheWindow() {
    apply(increment("n", 1), client(1), 2, 1, true, T0);
    List<ClientSession> sessions = new ArrayList<>();
    store.forEachSession((c, s) -> sessions.add(s));
    assertThat(sessions).containsExactly(ClientSession.newBuilder()
        .setLastActiveMillis(T0).setLowestUnanswered(1).setHighestSequence(2).build());
  }
}
