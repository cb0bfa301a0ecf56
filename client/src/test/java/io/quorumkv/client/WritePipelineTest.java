package io.quorumkv.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quorumkv.proto.v1.WriteId;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Writes outstanding at once share KV.Writes calls, and each keeps its own WriteId and outcome. */
class WritePipelineTest {
  @RegisterExtension final FakeCluster cluster = new FakeCluster(11);
  private FakeNode leader;

  @BeforeEach
  void startLeader() throws IOException {
    leader = cluster.node("leader");
  }

  private static List<Object> joinAll(List<? extends CompletableFuture<?>> futures) {
    List<Object> values = new ArrayList<>();
    futures.forEach(f -> values.add(f.join()));
    return values;
  }

  @Test
  void writesSentWhileACallIsInFlightLeaveTogetherInTheNext() {
    AsyncKvClient kv = cluster.client(leader.endpoint()).async();
    leader.delayNextAnswer(Duration.ofMillis(300));
    List<CompletableFuture<?>> writes = new ArrayList<>();
    writes.add(kv.put("k0", Values.text("first")));
    for (int i = 1; i <= 50; i++) {
      writes.add(kv.put("k" + i, Values.text("v" + i)));
    }
    writes.add(kv.increment("n", 3));
    writes.add(kv.delete("k0"));

    joinAll(writes);

    // The first write left alone, as a Put; the 52 that waited for it shared one call.
    assertThat(leader.writesCalls()).isEqualTo(1);
    assertThat(leader.requests()).isEqualTo(53);
    assertThat(leader.store()).hasSize(51).doesNotContainKey(Keys.utf8("k0"));
    assertThat(leader.writeIds()).hasSize(53).doesNotHaveDuplicates();
  }

  @Test
  void eachWriteOfASharedCallSucceedsOrFailsOnItsOwn() {
    AsyncKvClient kv = cluster.client(leader.endpoint()).async();
    kv.put("text", Values.text("not a number")).join();
    leader.delayNextAnswer(Duration.ofMillis(300));
    CompletableFuture<WriteResult> holder = kv.put("holder", Values.text("h"));
    CompletableFuture<WriteResult> before = kv.put("a", Values.text("1"));
    CompletableFuture<Long> refused = kv.increment("text", 1);
    CompletableFuture<Long> counted = kv.increment("counter", 7);

    assertThat(holder.join().created()).isTrue();
    assertThat(before.join().created()).isTrue();
    assertThatThrownBy(refused::join)
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(NotAnIntegerException.class);
    assertThat(counted.join()).isEqualTo(7);
    assertThat(leader.writesCalls()).isEqualTo(1);
  }

  @Test
  void aFailedSharedCallIsRetriedWriteByWriteUnderTheSameWriteIds() throws IOException {
    String dead;
    try (ServerSocket socket = new ServerSocket(0)) {
      dead = "127.0.0.1:" + socket.getLocalPort();
    }
    AsyncKvClient kv = cluster.client(dead, leader.endpoint()).async();
    List<CompletableFuture<WriteResult>> puts = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      puts.add(kv.put("p" + i, Values.text("v")));
    }

    joinAll(puts);

    assertThat(leader.store()).hasSize(20);
    List<WriteId> ids = leader.writeIds();
    assertThat(ids).hasSize(20).doesNotHaveDuplicates();
  }

  @Test
  void withoutThePipelineEveryWriteIsACallOfItsOwn() {
    AsyncKvClient kv = cluster.clientWithoutWritePipeline(leader.endpoint()).async();
    leader.delayNextAnswer(Duration.ofMillis(200));
    List<CompletableFuture<WriteResult>> puts = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      puts.add(kv.put("s" + i, Values.text("v")));
    }

    joinAll(puts);

    assertThat(leader.writesCalls()).isZero();
    assertThat(leader.requests()).isEqualTo(10);
    assertThat(leader.store()).hasSize(10);
  }
}
