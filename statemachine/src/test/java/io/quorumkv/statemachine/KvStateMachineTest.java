package io.quorumkv.statemachine;

import static io.quorumkv.statemachine.SingleNodeRaft.result;
import static io.quorumkv.statemachine.TestCommands.increment;
import static io.quorumkv.statemachine.TestCommands.key;
import static io.quorumkv.statemachine.TestCommands.put;
import static io.quorumkv.statemachine.TestCommands.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.Command;
import io.quorumkv.proto.internal.CommandResult;
import io.quorumkv.statemachine.read.ReadView;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.util.LifeCycle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link KvStateMachine} under a real single-node Ratis server (gRPC transport, loopback). */
class KvStateMachineTest {

  private static final ClientId CLIENT = ClientId.valueOf(UUID.fromString("00000000-0000-0000-0000-0000000000c1"));

  @TempDir
  Path root;

  private int port;
  private SingleNodeRaft node;

  @BeforeEach
  void start() throws Exception {
    port = SingleNodeRaft.freePort();
    node = SingleNodeRaft.start(root, port);
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
  }

  private String counter() {
    try (ReadView view = node.stateMachine.openReadView()) {
      return view.get(key("n"), false).orElseThrow().getValue().getText();
    }
  }

  @Test
  void writesReturnTheirResultsAndAreVisibleToReads() throws Exception {
    assertThat(result(node.submit(CLIENT, 1, put("k", "v"))).getPut().getCreated()).isTrue();
    assertThat(result(node.submit(CLIENT, 2, increment("n", 5))).getIncrement().getValue()).isEqualTo(5);
    RaftClientReply reply = node.submit(CLIENT, 3, increment("n", -2));
    assertThat(result(reply).getIncrement().getValue()).isEqualTo(3);

    node.stateMachine.awaitApplied(reply.getLogIndex()).get(10, TimeUnit.SECONDS);
    assertThat(node.stateMachine.lastAppliedIndex()).isGreaterThanOrEqualTo(reply.getLogIndex());
    try (ReadView view = node.stateMachine.openReadView()) {
      assertThat(view.appliedIndex()).isEqualTo(reply.getLogIndex());
      assertThat(view.get(key("k"), false).orElseThrow().getValue()).isEqualTo(text("v"));
      assertThat(view.get(key("n"), false).orElseThrow().getVersion()).isEqualTo(2);
    }
  }

  @Test
  void businessFailuresAreResults() throws Exception {
    node.submit(CLIENT, 1, put("n", "abc"));
    RaftClientReply reply = node.submit(CLIENT, 2, increment("n", 1));
    assertThat(result(reply).getFailure().getMessage()).contains("'n'");
    assertThat(counter()).isEqualTo("abc");
  }

  @Test
  void retriedRequestIsAppliedOnce() throws Exception {
    RaftClientReply first = node.submit(CLIENT, 7, increment("n", 1));
    RaftClientReply retry = node.submit(CLIENT, 7, increment("n", 1));
    assertThat(retry.getLogIndex()).isEqualTo(first.getLogIndex());
    assertThat(result(retry)).isEqualTo(result(first));
    assertThat(result(node.submit(CLIENT, 8, increment("n", 1))).getIncrement().getValue()).isEqualTo(2);
    assertThat(counter()).isEqualTo("2");
  }

  @Test
  void restartReplaysTheLogWithoutApplyingAnythingTwice() throws Exception {
    CommandResult[] results = new CommandResult[4];
    long lastIndex = 0;
    for (int call = 1; call <= 3; call++) {
      RaftClientReply reply = node.submit(CLIENT, call, clientIncrement(call));
      results[call] = result(reply);
      lastIndex = reply.getLogIndex();
    }
    node.close();

    node = SingleNodeRaft.start(root, port);
    node.stateMachine.awaitApplied(lastIndex).get(30, TimeUnit.SECONDS);
    assertThat(counter()).isEqualTo("30");
    // A retry is answered from the client's session, restored from the store: the same result. Write 2's
    // result is gone: write 3 said (lowest unanswered 3) that 2 had been answered.
    CommandResult retried = result(node.submit(CLIENT, 3, clientIncrement(3)));
    assertThat(retried.getIncrement()).isEqualTo(results[3].getIncrement());
    assertThat(result(node.submit(CLIENT, 2, clientIncrement(2))).getFailure().getCode())
        .isEqualTo(io.quorumkv.proto.internal.Failure.Code.RESULT_DISCARDED);
    assertThat(counter()).isEqualTo("30");
    assertThat(result(node.submit(CLIENT, 4, clientIncrement(4))).getIncrement().getValue()).isEqualTo(40);
  }

  /** Client CLIENT's write {@code call}: increment n by 10. */
  private static Command clientIncrement(long call) {
    return TestCommands.asWrite(increment("n", 10), ByteString.copyFrom(CLIENT.toByteString().toByteArray()), call);
  }

  @Test
  void contentThatIsNotACommandNeverReachesTheLog() throws Exception {
    long putIndex = node.submit(CLIENT, 1, put("k", "v")).getLogIndex();

    RaftClientReply garbage = node.submit(CLIENT, 2, Message.valueOf("not a command"));
    RaftClientReply empty = node.submit(CLIENT, 3, Message.EMPTY);

    assertThat(garbage.isSuccess()).isFalse();
    assertThat(garbage.getStateMachineException()).isNotNull();
    assertThat(empty.getStateMachineException()).isNotNull();
    // Ratis' own metadata entries may advance lastAppliedIndex; no further command reached the store.
    try (ReadView view = node.stateMachine.openReadView()) {
      assertThat(view.appliedIndex()).isEqualTo(putIndex);
    }
  }

  @Test
  void awaitAppliedCompletesOffTheApplyThread() throws Exception {
    long next = node.stateMachine.lastAppliedIndex() + 1;
    CompletableFuture<String> thread = node.stateMachine.awaitApplied(next)
        .thenApply(v -> Thread.currentThread().getName());
    assertThat(thread).isNotDone();
    node.submit(CLIENT, 1, put("k", "v"));
    assertThat(thread.get(10, TimeUnit.SECONDS)).isEqualTo("quorumkv-applied-waiters");
    assertThat(node.stateMachine.awaitApplied(next)).isDone();
  }

  @Test
  void queriesFailFastInsteadOfHanging() {
    Message request = Message.valueOf("get");
    assertThat(node.stateMachine.query(request)).isCompletedExceptionally();
    assertThat(node.stateMachine.queryStale(request, 1_000_000)).isCompletedExceptionally();
  }

  @Test
  void pauseStopsLocalReadsUntilReinitialize() throws Exception {
    node.submit(CLIENT, 1, increment("n", 1));
    ReadView before = node.stateMachine.openReadView();

    node.stateMachine.pause();
    assertThat(node.stateMachine.getLifeCycleState()).isEqualTo(LifeCycle.State.PAUSED);
    assertThatThrownBy(node.stateMachine::openReadView).isInstanceOf(IllegalStateException.class);

    node.stateMachine.reinitialize();
    assertThat(node.stateMachine.getLifeCycleState()).isEqualTo(LifeCycle.State.RUNNING);
    assertThatThrownBy(() -> before.get(key("n"), false)).isInstanceOf(IllegalStateException.class);
    before.close();
    assertThat(counter()).isEqualTo("1");
    assertThat(result(node.submit(CLIENT, 2, increment("n", 1))).getIncrement().getValue()).isEqualTo(2);
  }

  @Test
  void closeIsSafeTwiceAndStopsService() throws Exception {
    CompletableFuture<Void> pending = node.stateMachine.awaitApplied(1_000_000);
    node.close();
    node.stateMachine.close();
    assertThat(node.stateMachine.getLifeCycleState()).isEqualTo(LifeCycle.State.CLOSED);
    assertThat(pending).isCompletedExceptionally();
    assertThatThrownBy(node.stateMachine::openReadView).isInstanceOf(IllegalStateException.class);
    assertThat(node.stateMachine.awaitApplied(1)).isCompletedExceptionally();
  }
}
