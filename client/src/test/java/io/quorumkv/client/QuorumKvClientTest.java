package io.quorumkv.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.quorumkv.proto.v1.WriteId;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class QuorumKvClientTest {
  private static final long SEED = 7;

  @RegisterExtension final FakeCluster cluster = new FakeCluster(SEED);
  private FakeNode leader;

  @BeforeEach
  void startLeader() throws IOException {
    leader = cluster.node("leader");
  }

  /** A loopback port nobody listens on. */
  private static String deadEndpoint() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return "127.0.0.1:" + socket.getLocalPort();
    }
  }

  @Test
  void basicOperationsRoundTrip() {
    QuorumKvClient kv = cluster.client(leader.endpoint());

    WriteResult first = kv.put("a", Values.text("1"));
    assertThat(first.created()).isTrue();
    assertThat(kv.put("a", Values.text("2")).created()).isFalse();

    Entry entry = kv.get("a").orElseThrow();
    assertThat(entry.keyUtf8()).isEqualTo("a");
    assertThat(entry.renderedValue()).isEqualTo("2");
    assertThat(entry.createIndex()).isEqualTo(first.index());
    assertThat(entry.version()).isEqualTo(2);
    assertThat(entry.appliedIndex()).isEqualTo(2);

    assertThat(kv.exists("a", ReadOptions.stale(first.index()))).isTrue();
    assertThat(kv.increment("n", 5)).isEqualTo(5);
    assertThat(kv.increment(ByteString.copyFromUtf8("n"), -2)).isEqualTo(3);
    assertThat(kv.delete("a")).isTrue();
    assertThat(kv.delete("a")).isFalse();
    assertThat(kv.get("a")).isEmpty();

    BatchResult batch =
        kv.batch(Batch.builder().put("x", Values.json("{}")).put("y", Values.bytes(new byte[] {1})).delete("n").build());
    assertThat(batch.appliedOperations()).isEqualTo(3);
    assertThat(batch.deletedKeys()).isEqualTo(1);
  }

  @Test
  void asyncApiCompletesFutures() {
    AsyncKvClient kv = cluster.client(leader.endpoint()).async();
    assertThat(kv.put("k", Values.text("v")).thenCompose(w -> kv.get("k")).join())
        .map(Entry::renderedValue)
        .contains("v");
    assertThatThrownBy(() -> kv.increment("k", 1).join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(NotAnIntegerException.class);
  }

  @Test
  void futuresCompleteOnTheClientsNetworkThread() {
    AsyncKvClient kv = cluster.client(leader.endpoint()).async();
    kv.put("k", Values.text("v")).join();

    String thread = kv.get("k").thenApply(entry -> Thread.currentThread().getName()).join();

    assertThat(thread).isEqualTo("quorumkv-client-network");
  }

  @Test
  void followsTheLeaderHintAndCachesIt() throws IOException {
    FakeNode follower = cluster.node("follower");
    follower.follow(leader.endpoint());
    QuorumKvClient kv = cluster.client(follower.endpoint());

    kv.put("a", Values.text("1"));
    kv.put("b", Values.text("2"));

    assertThat(follower.requests()).isEqualTo(1);
    assertThat(leader.writeIds()).hasSize(2);
    assertThat(kv.preferredEndpoint()).isEqualTo(leader.endpoint());
    assertThat(kv.endpoints()).containsExactly(follower.endpoint(), leader.endpoint());
    // The redirected attempt re-sent the WriteId the follower refused.
    assertThat(leader.writeIds().get(0)).isEqualTo(follower.writeIds().get(0));
  }

  @Test
  void notLeaderWithoutHintMovesToTheNextEndpoint() throws IOException {
    FakeNode follower = cluster.node("follower");
    follower.follow(null);
    QuorumKvClient kv = cluster.client(follower.endpoint(), leader.endpoint());

    kv.put("a", Values.text("1"));

    assertThat(kv.preferredEndpoint()).isEqualTo(leader.endpoint());
    assertThat(leader.store()).containsKey(ByteString.copyFromUtf8("a"));
  }

  @Test
  void retriesReuseTheWriteIdWhileNewWritesTakeTheNextSequence() {
    QuorumKvClient kv = cluster.client(leader.endpoint());
    leader.failNext(2, Status.Code.UNAVAILABLE, "LEADER_NOT_READY");

    kv.put("a", Values.text("1"));
    kv.delete("a");
    kv.increment("n", 1);

    List<WriteId> ids = leader.writeIds();
    assertThat(ids).hasSize(5);
    assertThat(ids.subList(0, 3)).allSatisfy(id -> assertThat(id).isEqualTo(ids.get(0)));
    assertThat(ids.get(0).getClientId().size()).isEqualTo(16);
    assertThat(ids.stream().map(WriteId::getSequence).distinct()).containsExactly(1L, 2L, 3L);
  }

  @Test
  void aTimedOutWriteIsRetriedWithTheSameIdAndAppliedOnce() throws IOException {
    FakeNode other = cluster.node("other");
    other.follow(leader.endpoint());
    QuorumKvClient kv = cluster.client(leader.endpoint(), other.endpoint());
    // Applied at once, answered after the attempt deadline: the reply is "lost".
    leader.delayNextAnswer(Duration.ofMillis(800));

    assertThat(kv.increment("n", 1)).isEqualTo(1);

    assertThat(leader.writeIds()).hasSize(2).containsOnly(leader.writeIds().get(0));
    assertThat(leader.store().get(ByteString.copyFromUtf8("n")).getValue().getText()).isEqualTo("1");
  }

  @Test
  void connectionFailureRotatesToTheNextEndpoint() throws IOException {
    QuorumKvClient kv = cluster.client(deadEndpoint(), leader.endpoint());

    assertThat(kv.exists("a")).isFalse();
    kv.put("a", Values.text("1"));

    assertThat(kv.preferredEndpoint()).isEqualTo(leader.endpoint());
  }

  @Test
  void overallTimeoutEndsRetriesWithUnavailable() {
    QuorumKvClient kv = cluster.client(Duration.ofMillis(400), leader.endpoint());
    leader.failNext(1000, Status.Code.UNAVAILABLE, "LEADER_NOT_READY");

    long start = System.nanoTime();
    assertThatThrownBy(() -> kv.put("a", Values.text("1")))
        .isInstanceOfSatisfying(
            UnavailableException.class,
            e -> {
              assertThat(e.outcomeUnknown()).isFalse();
              assertThat(e.attempts()).isGreaterThan(2);
              assertThat(e.errorCode()).contains("LEADER_NOT_READY");
              assertThat(e.member()).contains(leader.endpoint());
            });
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void writeOutcomeIsUnknownAfterATimedOutAttempt() {
    QuorumKvClient kv = cluster.client(Duration.ofMillis(700), leader.endpoint());
    leader.delayNextAnswer(Duration.ofMillis(1500));
    leader.delayNextAnswer(Duration.ofMillis(1500));

    assertThatThrownBy(() -> kv.put("a", Values.text("1")))
        .isInstanceOfSatisfying(UnavailableException.class, e -> assertThat(e.outcomeUnknown()).isTrue());
  }

  @Test
  void aRefusedConnectionLeavesNoDoubtAboutAWrite() throws IOException {
    QuorumKvClient kv = cluster.client(Duration.ofMillis(300), deadEndpoint());

    assertThatThrownBy(() -> kv.put("a", Values.text("1")))
        .isInstanceOfSatisfying(
            UnavailableException.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(e.outcomeUnknown()).isFalse();
            });
  }

  @Test
  void invalidArgumentIsNotRetried() {
    QuorumKvClient kv = cluster.client(leader.endpoint());
    leader.failNext(1, Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST");

    assertThatThrownBy(() -> kv.put("", Values.text("1")))
        .isInstanceOfSatisfying(
            InvalidRequestException.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.errorCode()).contains("INVALID_REQUEST");
            });
    assertThat(leader.requests()).isEqualTo(1);
  }

  @Test
  void incrementOfTextMapsToNotAnInteger() {
    QuorumKvClient kv = cluster.client(leader.endpoint());
    kv.put("t", Values.text("abc"));

    assertThatThrownBy(() -> kv.increment("t", 1))
        .isInstanceOfSatisfying(
            NotAnIntegerException.class, e -> assertThat(e.member()).contains(leader.endpoint()));
    assertThat(leader.requests()).isEqualTo(2);
  }

  @Test
  void internalErrorIsRetriedOnceOnAnotherMember() throws IOException {
    FakeNode other = cluster.node("other");
    QuorumKvClient kv = cluster.client(leader.endpoint(), other.endpoint());
    leader.failNext(1, Status.Code.INTERNAL, "INTERNAL_ERROR");
    other.failNext(1, Status.Code.INTERNAL, "INTERNAL_ERROR");

    assertThatThrownBy(() -> kv.get("a")).isInstanceOf(QuorumKvInternalException.class);
    assertThat(leader.requests() + other.requests()).isEqualTo(2);
  }

  @Test
  void scanFollowsPageTokens() {
    QuorumKvClient kv = cluster.client(leader.endpoint());
    for (int i = 0; i < 25; i++) {
      kv.put(String.format("k%02d", i), Values.text("v" + i));
    }
    kv.put("other", Values.text("x"));
    leader.maxPageSize(10);

    ScanPage first = kv.scan(ScanOptions.prefix("k"));
    assertThat(first.entries()).hasSize(10);
    assertThat(first.hasNextPage()).isTrue();
    assertThat(kv.scan(ScanOptions.prefix("k"), first.nextPageToken()).entries().get(0).keyUtf8())
        .isEqualTo("k10");

    assertThat(kv.scanAll(ScanOptions.prefix("k")).map(Entry::keyUtf8))
        .hasSize(25)
        .startsWith("k00", "k01")
        .endsWith("k24");
    assertThat(kv.scanAll(ScanOptions.builder().start("k05").end("k15").keysOnly(true).build()))
        .hasSize(10)
        .noneMatch(Entry::hasValue);
    assertThat(kv.scanAll(ScanOptions.builder().prefix("k").pageSize(4).limit(13).build())).hasSize(13);

    List<String> keys = new ArrayList<>();
    assertThat(kv.scanForEach(ScanOptions.prefix("k"), e -> keys.add(e.keyUtf8()))).isEqualTo(25);
    assertThat(keys).isSorted().hasSize(25);
  }

  @Test
  void scanStreamIsLazy() {
    QuorumKvClient kv = cluster.client(leader.endpoint());
    for (int i = 0; i < 30; i++) {
      kv.put("k" + i, Values.text("v"));
    }
    leader.maxPageSize(10);
    int before = leader.requests();

    Optional<Entry> first = kv.scanAll(ScanOptions.all()).findFirst();

    assertThat(first).isPresent();
    assertThat(leader.requests() - before).isEqualTo(1);
  }

  @Test
  void closeFailsCallsThatAreWaitingToRetry() throws InterruptedException {
    QuorumKvClient kv = cluster.client(leader.endpoint());
    leader.failNext(10_000, Status.Code.UNAVAILABLE, "LEADER_NOT_READY");
    int before = leader.requests();
    CompletableFuture<WriteResult> put = kv.async().put("a", Values.text("1"));
    while (leader.requests() < before + 2) {
      Thread.sleep(5); // until the call has been retried once: it is in its retry loop
    }

    kv.close();

    assertThat(put).failsWithin(Duration.ofSeconds(3));
  }

  @Test
  void callsAfterCloseFail() {
    QuorumKvClient kv = cluster.client(leader.endpoint());
    kv.close();
    assertThatThrownBy(() -> kv.get("a")).isInstanceOf(IllegalStateException.class);
  }
}
