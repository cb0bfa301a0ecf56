package io.quorumkv.statemachine.core;

import static io.quorumkv.statemachine.TestCommands.batch;
import static io.quorumkv.statemachine.TestCommands.binary;
import static io.quorumkv.statemachine.TestCommands.bytes;
import static io.quorumkv.statemachine.TestCommands.delete;
import static io.quorumkv.statemachine.TestCommands.deleteMutation;
import static io.quorumkv.statemachine.TestCommands.dump;
import static io.quorumkv.statemachine.TestCommands.increment;
import static io.quorumkv.statemachine.TestCommands.json;
import static io.quorumkv.statemachine.TestCommands.key;
import static io.quorumkv.statemachine.TestCommands.put;
import static io.quorumkv.statemachine.TestCommands.putMutation;
import static io.quorumkv.statemachine.TestCommands.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.BatchOp;
import io.quorumkv.proto.internal.Command;
import io.quorumkv.proto.internal.CommandResult;
import io.quorumkv.proto.internal.Failure;
import io.quorumkv.proto.internal.Mutation;
import io.quorumkv.proto.internal.StoredValue;
import io.quorumkv.proto.v1.KeyValue;
import io.quorumkv.proto.v1.Value;
import io.quorumkv.statemachine.storage.RocksKvStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KvCoreTest {

  private static final long TERM = 3;

  @TempDir
  Path dir;

  private RocksKvStore store;
  private KvCore core;
  private long nextIndex = 1;

  @BeforeEach
  void open() {
    store = RocksKvStore.open(dir);
    core = new KvCore(store);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private CommandResult apply(Command command) {
    return core.apply(command, TERM, nextIndex++);
  }

  private StoredValue stored(String key) {
    return store.get(key(key)).orElseThrow();
  }

  @Test
  void putCreatesThenReplacesWithBookkeeping() {
    assertThat(apply(put("k", "v1")).getPut().getCreated()).isTrue();
    assertThat(stored("k")).isEqualTo(StoredValue.newBuilder()
        .setValue(text("v1")).setCreateIndex(1).setModIndex(1).setVersion(1).build());

    apply(put("other", "x"));
    assertThat(apply(put("k", "v2")).getPut().getCreated()).isFalse();
    assertThat(stored("k")).isEqualTo(StoredValue.newBuilder()
        .setValue(text("v2")).setCreateIndex(1).setModIndex(3).setVersion(2).build());
  }

  @Test
  void putAfterDeleteStartsANewLife() {
    apply(put("k", "v1"));
    apply(put("k", "v2"));
    apply(delete("k"));
    assertThat(apply(put("k", "v3")).getPut().getCreated()).isTrue();
    assertThat(stored("k").getCreateIndex()).isEqualTo(4);
    assertThat(stored("k").getVersion()).isEqualTo(1);
  }

  @Test
  void putKeepsEveryValueKind() {
    apply(put(key("b"), binary(bytes(0, 0xFF))));
    apply(put(key("j"), json("{\"a\":1}")));
    assertThat(stored("b").getValue()).isEqualTo(binary(bytes(0, 0xFF)));
    assertThat(stored("j").getValue()).isEqualTo(json("{\"a\":1}"));
  }

  @Test
  void deleteTellsWhetherTheKeyExisted() {
    assertThat(apply(delete("absent")).getDelete().getDeleted()).isFalse();
    apply(put("k", "v"));
    assertThat(apply(delete("k")).getDelete().getDeleted()).isTrue();
    assertThat(store.get(key("k"))).isEmpty();
    assertThat(apply(delete("k")).getDelete().getDeleted()).isFalse();
  }

  @Test
  void incrementOfAbsentKeyStartsAtZero() {
    assertThat(apply(increment("n", 5)).getIncrement().getValue()).isEqualTo(5);
    assertThat(stored("n")).isEqualTo(StoredValue.newBuilder()
        .setValue(text("5")).setCreateIndex(1).setModIndex(1).setVersion(1).build());
  }

  @Test
  void incrementByZeroOfAbsentKeyCreatesIt() {
    assertThat(apply(increment("n", 0)).getIncrement().getValue()).isZero();
    assertThat(stored("n").getValue()).isEqualTo(text("0"));
  }

  @Test
  void incrementAddsNegativeDeltasAndStoresText() {
    apply(put("n", "41"));
    assertThat(apply(increment("n", 1)).getIncrement().getValue()).isEqualTo(42);
    assertThat(apply(increment("n", -50)).getIncrement().getValue()).isEqualTo(-8);
    assertThat(stored("n")).isEqualTo(StoredValue.newBuilder()
        .setValue(text("-8")).setCreateIndex(1).setModIndex(3).setVersion(3).build());
  }

  @Test
  void incrementAcceptsWhatLongParseLongAccepts() {
    apply(put("plus", "+7"));
    apply(put("min", Long.toString(Long.MIN_VALUE)));
    assertThat(apply(increment("plus", 1)).getIncrement().getValue()).isEqualTo(8);
    assertThat(apply(increment("min", 1)).getIncrement().getValue()).isEqualTo(Long.MIN_VALUE + 1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "1.5", " 1", "1 ", "", "0x10", "9223372036854775808"})
  void incrementOfNonIntegerTextFails(String stored) {
    apply(put("n", stored));
    assertNotAnIntegerAndUnchanged(apply(increment("n", 1)), "'n'", text(stored));
  }

  @Test
  void incrementOfBytesOrJsonFails() {
    apply(put(key("n"), binary(ByteString.copyFromUtf8("1"))));
    assertNotAnIntegerAndUnchanged(apply(increment("n", 1)), "bytes", binary(ByteString.copyFromUtf8("1")));
    apply(put(key("n"), json("1")));
    assertNotAnIntegerAndUnchanged(apply(increment("n", 1)), "JSON", json("1"));
  }

  @Test
  void incrementOverflowFails() {
    apply(put("max", Long.toString(Long.MAX_VALUE)));
    assertNotAnIntegerAndUnchanged(apply(increment("max", 1)), "overflows", text(Long.toString(Long.MAX_VALUE)));
    apply(put("min", Long.toString(Long.MIN_VALUE)));
    assertNotAnIntegerAndUnchanged(apply(increment("min", -1)), "overflows", text(Long.toString(Long.MIN_VALUE)));
  }

  @Test
  void failureMessageShowsBinaryKeysAsHex() {
    apply(put(bytes(0x00, 0xAB), binary(bytes(1))));
    CommandResult result = apply(increment(bytes(0x00, 0xAB), 1));
    assertThat(result.getFailure().getMessage()).contains("0x00ab");
  }

  private void assertNotAnIntegerAndUnchanged(CommandResult result, String messagePart, Value expected) {
    long failedAt = nextIndex - 1;
    assertThat(result.getFailure().getCode()).isEqualTo(Failure.Code.NOT_AN_INTEGER);
    assertThat(result.getFailure().getMessage()).contains(messagePart);
    List<KeyValue> before = dump(store);
    assertThat(before).filteredOn(kv -> kv.getValue().equals(expected)).isNotEmpty();
    assertThat(before).allSatisfy(kv -> assertThat(kv.getModIndex()).isLessThan(failedAt));
    assertThat(store.applied().getIndex()).isEqualTo(failedAt);
  }

  @Test
  void batchAppliesInOrderAndCountsDeletesAsOfThatPoint() {
    apply(put("a", "0"));
    apply(put("b", "0"));
    CommandResult result = apply(batch(
        putMutation("a", "1"),
        putMutation("a", "2"),
        deleteMutation("b"),
        deleteMutation("b"),
        putMutation("c", "new"),
        deleteMutation("c"),
        deleteMutation("never")));

    assertThat(result.getBatch().getAppliedOperations()).isEqualTo(7);
    assertThat(result.getBatch().getDeletedKeys()).isEqualTo(2);
    assertThat(stored("a")).isEqualTo(StoredValue.newBuilder()
        .setValue(text("2")).setCreateIndex(1).setModIndex(3).setVersion(3).build());
    assertThat(store.get(key("b"))).isEmpty();
    assertThat(store.get(key("c"))).isEmpty();
  }

  @Test
  void batchDeleteThenPutRecreatesTheKey() {
    apply(put("a", "0"));
    apply(batch(deleteMutation("a"), putMutation("a", "again")));
    assertThat(stored("a")).isEqualTo(StoredValue.newBuilder()
        .setValue(text("again")).setCreateIndex(2).setModIndex(2).setVersion(1).build());
  }

  @Test
  void batchWithUnknownMutationChangesNothing() {
    apply(put("a", "0"));
    Command command = Command.newBuilder().setBatch(BatchOp.newBuilder()
        .addMutations(putMutation("a", "1"))
        .addMutations(Mutation.getDefaultInstance())).build();
    CommandResult result = apply(command);
    assertThat(result.getFailure().getCode()).isEqualTo(Failure.Code.UNKNOWN_COMMAND);
    assertThat(stored("a").getValue()).isEqualTo(text("0"));
    assertThat(store.applied().getIndex()).isEqualTo(2);
  }

  @Test
  void unknownCommandChangesNothingButIsApplied() {
    apply(put("a", "0"));
    CommandResult result = apply(Command.getDefaultInstance());
    assertThat(result.getFailure().getCode()).isEqualTo(Failure.Code.UNKNOWN_COMMAND);
    assertThat(dump(store)).hasSize(1);
    assertThat(store.applied().getIndex()).isEqualTo(2);
    assertThat(store.applied().getTerm()).isEqualTo(TERM);
  }
}
