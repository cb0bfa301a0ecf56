package io.quorumkv.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.quorumkv.client.Batch;
import io.quorumkv.client.BatchResult;
import io.quorumkv.client.Entry;
import io.quorumkv.client.InvalidRequestException;
import io.quorumkv.client.NotAnIntegerException;
import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.client.ReadOptions;
import io.quorumkv.client.ScanOptions;
import io.quorumkv.client.ScanPage;
import io.quorumkv.client.Values;
import io.quorumkv.client.WriteResult;
import io.quorumkv.proto.v1.Member;
import io.quorumkv.proto.v1.Role;
import io.quorumkv.proto.v1.StatusResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every KV and Cluster call through the Java client against a real 3-member cluster ({@link TlsClientApiIT}
 * runs the same over mutual TLS).
 */
class ClientApiIT {
  static MiniCluster cluster;
  static QuorumKvClient kv;

  @BeforeAll
  static void start() throws Exception {
    cluster = MiniCluster.start(3, TestLimits.SMALL);
    kv = QuorumKvClient.builder().endpoints(cluster.endpoints()).overallTimeout(Duration.ofSeconds(20)).build();
  }

  @AfterAll
  static void stop() {
    if (kv != null) {
      kv.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void putGetExistsDeleteWithEveryValueType() {
    WriteResult created = kv.put("api/text", Values.text("héllo"));
    assertThat(created.created()).isTrue();
    WriteResult replaced = kv.put("api/text", Values.text("hello again"));
    assertThat(replaced.created()).isFalse();
    assertThat(replaced.index()).isGreaterThan(created.index());

    Entry text = kv.get("api/text").orElseThrow();
    assertThat(text.value().getText()).isEqualTo("hello again");
    assertThat(text.createIndex()).isEqualTo(created.index());
    assertThat(text.modIndex()).isEqualTo(replaced.index());
    assertThat(text.version()).isEqualTo(2);
    assertThat(text.appliedIndex()).isGreaterThanOrEqualTo(replaced.index());

    byte[] raw = {0, (byte) 0xff, 7};
    kv.put("api/bytes", Values.bytes(raw));
    assertThat(kv.get("api/bytes").orElseThrow().value().getBytes().toByteArray()).containsExactly(raw);
    kv.put("api/json", Values.json("{\"name\": \"ada\", \"tags\": [1, 2]}"));
    assertThat(kv.get("api/json").orElseThrow().value().getJson()).isEqualTo("{\"name\": \"ada\", \"tags\": [1, 2]}");

    assertThat(kv.exists("api/json")).isTrue();
    assertThat(kv.delete("api/json")).isTrue();
    assertThat(kv.delete("api/json")).isFalse();
    assertThat(kv.exists("api/json")).isFalse();
    assertThat(kv.get("api/json")).isEmpty();
    assertThat(kv.get(ByteString.copyFrom(new byte[] {(byte) 0xfe, 0}))).isEmpty();
  }

  @Test
  void incrementCountsFromZeroAndAcceptsIntegerText() {
    assertThat(kv.increment("api/n", 1)).isEqualTo(1);
    assertThat(kv.increment("api/n", 41)).isEqualTo(42);
    assertThat(kv.increment("api/n", -50)).isEqualTo(-8);
    assertThat(kv.get("api/n").orElseThrow().value().getText()).isEqualTo("-8");
    kv.put("api/n2", Values.text("100"));
    assertThat(kv.increment("api/n2", 1)).isEqualTo(101);
  }

  @Test
  void incrementOfANonIntegerFailsAndChangesNothing() {
    kv.put("api/word", Values.text("hello"));
    Entry before = kv.get("api/word").orElseThrow();
    assertThatThrownBy(() -> kv.increment("api/word", 1)).isInstanceOf(NotAnIntegerException.class)
        .hasMessageContaining("api/word");
    kv.put("api/max", Values.text(Long.toString(Long.MAX_VALUE)));
    assertThatThrownBy(() -> kv.increment("api/max", 1)).isInstanceOf(NotAnIntegerException.class);
    kv.put("api/jsonnum", Values.json("5"));
    assertThatThrownBy(() -> kv.increment("api/jsonnum", 1)).isInstanceOf(NotAnIntegerException.class);
    Entry after = kv.get("api/word").orElseThrow();
    assertThat(after.value()).isEqualTo(before.value());
    assertThat(after.version()).isEqualTo(before.version());
    assertThat(kv.get("api/max").orElseThrow().value().getText()).isEqualTo(Long.toString(Long.MAX_VALUE));
  }

  @Test
  void batchAppliesAllOperationsInOrder() {
    kv.put("batch/old", Values.text("x"));
    BatchResult result = kv.batch(Batch.builder()
        .put("batch/a", Values.text("1"))
        .put("batch/b", Values.text("2"))
        .delete("batch/old")
        .put("batch/a", Values.text("3"))
        .delete("batch/never")
        .build());
    assertThat(result.appliedOperations()).isEqualTo(5);
    assertThat(result.deletedKeys()).isEqualTo(1);
    assertThat(kv.get("batch/a").orElseThrow().value().getText()).isEqualTo("3");
    assertThat(kv.get("batch/b").orElseThrow().modIndex()).isEqualTo(result.index());
    assertThat(kv.exists("batch/old")).isFalse();
  }

  @Test
  void aBatchWithOneInvalidOperationAppliesNothing() {
    Batch bad = Batch.builder()
        .put("atomic/1", Values.text("a"))
        .put("atomic/2", Values.json("{not json"))
        .delete("api/text")
        .build();
    assertThatThrownBy(() -> kv.batch(bad)).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("operations[1]");
    Batch tooLarge = Batch.builder().put("atomic/3", Values.text("x".repeat(TestLimits.SMALL.maxValueBytes() + 1))).build();
    assertThatThrownBy(() -> kv.batch(tooLarge)).isInstanceOf(InvalidRequestException.class);
    Batch.Builder tooMany = Batch.builder();
    for (int i = 0; i <= TestLimits.SMALL.maxBatchOperations(); i++) {
      tooMany.put("atomic/many/" + i, Values.text("v"));
    }
    assertThatThrownBy(() -> kv.batch(tooMany.build())).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("operations");
    assertThat(kv.exists("atomic/1")).isFalse();
    assertThat(kv.exists("atomic/3")).isFalse();
    assertThat(kv.exists("atomic/many/0")).isFalse();
  }

  @Test
  void badInputIsRejectedWithAClearMessageAndChangesNothing() {
    kv.put("bad/probe", Values.text("p"));
    assertThatThrownBy(() -> kv.put("", Values.text("v"))).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> kv.put("k".repeat(TestLimits.SMALL.maxKeyBytes() + 1), Values.text("v")))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("limit");
    assertThatThrownBy(() -> kv.put("bad/v", Values.bytes(new byte[TestLimits.SMALL.maxValueBytes() + 1])))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("limit");
    assertThatThrownBy(() -> kv.put("bad/json", Values.json("[1, 2")))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("json");
    assertThatThrownBy(() -> kv.increment("", 1)).isInstanceOf(InvalidRequestException.class);
    // The client refuses an inconsistent scan before sending it (the server checks it too: ScanRequestsTest).
    assertThatThrownBy(() -> ScanOptions.builder().prefix("p").start("a").build())
        .isInstanceOf(IllegalArgumentException.class);
    // Nothing rejected was applied: the probe key saw exactly its own write, and no bad key exists.
    assertThat(kv.get("bad/probe").orElseThrow().version()).isEqualTo(1);
    assertThat(kv.exists("bad/v")).isFalse();
    assertThat(kv.exists("bad/json")).isFalse();
  }

  @Test
  void scansPageThroughMoreKeysThanOnePageInOrder() {
    int keys = 2 * TestLimits.SMALL.maxScanLimit() + 7;
    List<String> expected = IntStream.range(0, keys).mapToObj(i -> String.format("scan/%05d", i)).toList();
    int perBatch = TestLimits.SMALL.maxBatchOperations();
    for (int from = 0; from < keys; from += perBatch) {
      Batch.Builder batch = Batch.builder();
      expected.subList(from, Math.min(keys, from + perBatch)).forEach(k -> batch.put(k, Values.text("v-" + k)));
      kv.batch(batch.build());
    }
    kv.put("scan0", Values.text("outside the prefix"));

    ScanPage first = kv.scan(ScanOptions.builder().prefix("scan/").pageSize(TestLimits.SMALL.maxScanLimit()).build());
    assertThat(first.entries()).hasSize(TestLimits.SMALL.maxScanLimit());
    assertThat(first.hasNextPage()).isTrue();
    assertThat(first.appliedIndex()).isPositive();

    List<Entry> all = kv.scanAll(ScanOptions.builder().prefix("scan/").pageSize(30).build()).toList();
    assertThat(all).extracting(Entry::keyUtf8).containsExactlyElementsOf(expected);
    assertThat(all).allSatisfy(e -> assertThat(e.value().getText()).isEqualTo("v-" + e.keyUtf8()));

    List<Entry> keysOnly = kv.scanAll(ScanOptions.builder().start("scan/00010").end("scan/00020").keysOnly(true)
        .build()).toList();
    assertThat(keysOnly).extracting(Entry::keyUtf8).containsExactlyElementsOf(expected.subList(10, 20));
    assertThat(keysOnly).noneMatch(Entry::hasValue);

    List<Entry> limited = kv.scanAll(ScanOptions.builder().prefix("scan/").limit(5).build()).toList();
    assertThat(limited).extracting(Entry::keyUtf8).containsExactlyElementsOf(expected.subList(0, 5));

    List<Entry> stale = kv.scanAll(ScanOptions.builder().prefix("scan/").read(ReadOptions.stale(first.appliedIndex()))
        .build()).toList();
    assertThat(stale).hasSize(keys);
  }

  @Test
  void staleReadsWithMinIndexSeeYourOwnWrites() {
    WriteResult w = kv.put("stale/k", Values.text("mine"));
    Optional<Entry> e = kv.get("stale/k", ReadOptions.stale(w.index()));
    assertThat(e).isPresent();
    assertThat(e.get().appliedIndex()).isGreaterThanOrEqualTo(w.index());
  }

  @Test
  void asyncApiMirrorsTheSyncOne() throws Exception {
    assertThat(kv.async().put("async/k", Values.text("v")).get().created()).isTrue();
    assertThat(kv.async().get("async/k").get().orElseThrow().value().getText()).isEqualTo("v");
    assertThat(kv.async().increment("async/n", 3).get()).isEqualTo(3);
    assertThat(kv.async().delete("async/k").get()).isTrue();
  }

  @Test
  void clusterStatusListsEveryMemberWithOneLeader() {
    StatusResponse status = kv.clusterStatus();
    assertThat(status.getMembersList()).extracting(Member::getId).containsExactly("n1", "n2", "n3");
    assertThat(status.getMembersList()).allMatch(Member::getReachable);
    assertThat(status.getMembersList().stream().filter(m -> m.getRole() == Role.LEADER).count()).isEqualTo(1);
    assertThat(status.getLeaderId()).isNotEmpty();
    assertThat(status.getLeaderClientAddress()).isEqualTo(cluster.endpoint(status.getLeaderId()));
    assertThat(status.getMembersList()).allSatisfy(m -> {
      assertThat(m.getTerm()).isPositive();
      assertThat(m.getCommitIndex()).isPositive();
    });
    assertThat(status.getMembersList().stream().map(Member::getClientAddress).collect(Collectors.toList()))
        .containsExactlyElementsOf(cluster.endpoints());
  }
}
