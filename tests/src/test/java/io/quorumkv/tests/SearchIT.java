package io.quorumkv.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.quorumkv.proto.v1.Consistency;
import io.quorumkv.proto.v1.CreateIndexRequest;
import io.quorumkv.proto.v1.DeleteRequest;
import io.quorumkv.proto.v1.Filter;
import io.quorumkv.proto.v1.IndexSpec;
import io.quorumkv.proto.v1.KVGrpc;
import io.quorumkv.proto.v1.PutRequest;
import io.quorumkv.proto.v1.ReadOptions;
import io.quorumkv.proto.v1.SearchGrpc;

import io.quorumkv.proto.v1.SearchRequest;
import io.quorumkv.proto.v1.SearchResponse;
import io.quorumkv.proto.v1.SemanticField;
import io.quorumkv.proto.v1.Value;
import io.quorumkv.proto.v1.VectorField;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Search on a 3-member cluster through the raw gRPC stubs: index definitions replicate, a search on a
 * follower sees every write acknowledged before it (and never a deleted key), semantic search runs the
 * real model with the leader's embeddings, bad requests get clear statuses.
 */
class SearchIT {
  private static MiniCluster cluster;
  private static ManagedChannel leaderChannel;
  private static ManagedChannel followerChannel;
  private static String follower;

  @BeforeAll
  static void start() throws Exception {
    cluster = MiniCluster.start(3);
    String leader = cluster.awaitLeader(Duration.ofSeconds(20));
    follower = cluster.aFollower(leader, Duration.ofSeconds(20));
    leaderChannel = NettyChannelBuilder.forTarget(cluster.endpoint(leader)).usePlaintext().build();
    followerChannel = NettyChannelBuilder.forTarget(cluster.endpoint(follower)).usePlaintext().build();
  }

  @AfterAll
  static void stop() {
    leaderChannel.shutdownNow();
    followerChannel.shutdownNow();
    cluster.close();
  }

  private static KVGrpc.KVBlockingStub kv() {
    return KVGrpc.newBlockingStub(leaderChannel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private static SearchGrpc.SearchBlockingStub leaderSearch() {
    return SearchGrpc.newBlockingStub(leaderChannel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private static SearchGrpc.SearchBlockingStub followerSearch() {
    return SearchGrpc.newBlockingStub(followerChannel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private static void createIndex(IndexSpec spec) throws InterruptedException {
    assertThat(leaderSearch().createIndex(CreateIndexRequest.newBuilder().setSpec(spec).build()).getCreated()).isTrue();
    IndexReadiness.awaitReadyEverywhere(cluster, spec.getName());
  }

  private static long put(String key, Value value) {
    return kv().put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(value).build())
        .getHeader().getAppliedIndex();
  }

  private static Value text(String text) {
    return Value.newBuilder().setText(text).build();
  }

  private static Value json(String json) {
    return Value.newBuilder().setJson(json).build();
  }

  private static List<String> keys(SearchResponse response) {
    return response.getHitsList().stream().map(h -> h.getKey().toStringUtf8()).toList();
  }

  @Test
  void followerSearchSeesEveryAcknowledgedWriteAndNoDeletedKey() throws Exception {
    createIndex(IndexSpec.newBuilder().setName("ryw").setKeyPrefix(ByteString.copyFromUtf8("ryw/")).setText(true)
        .build());
    for (int i = 0; i < 25; i++) {
      String word = "token" + i + "x";
      put("ryw/" + i, text("a note holding the word " + word));
      SearchResponse found = followerSearch().search(SearchRequest.newBuilder().setIndex("ryw").setQuery(word).build());
      assertThat(keys(found)).as("linearizable search on follower %s right after write %d", follower, i)
          .containsExactly("ryw/" + i);
      assertThat(found.getHits(0).getSnippet()).contains("<b>" + word + "</b>");
      kv().delete(DeleteRequest.newBuilder().setKey(ByteString.copyFromUtf8("ryw/" + i)).build());
      assertThat(keys(followerSearch().search(SearchRequest.newBuilder().setIndex("ryw").setQuery(word).build())))
          .as("search after the delete of %d", i).isEmpty();
    }
  }

  @Test
  void staleSearchWithMinIndexReadsYourWrites() throws Exception {
    createIndex(IndexSpec.newBuilder().setName("stale").setKeyPrefix(ByteString.copyFromUtf8("stale/")).setText(true)
        .build());
    long index = put("stale/1", text("zebra crossing"));
    SearchResponse found = followerSearch().search(SearchRequest.newBuilder().setIndex("stale").setQuery("zebra")
        .setRead(ReadOptions.newBuilder().setConsistency(Consistency.STALE).setMinIndex(index)).build());
    assertThat(keys(found)).containsExactly("stale/1");
    assertThat(found.getHeader().getAppliedIndex()).isGreaterThanOrEqualTo(index);
  }

  @Test
  void jsonFieldsFiltersAndValues() throws Exception {
    for (int i = 0; i < 30; i++) {
      put("doc/" + i, json("{\"title\":\"item " + i + (i % 3 == 0 ? " lantern" : " kettle") + "\",\"category\":\""
          + (i % 2 == 0 ? "even" : "odd") + "\",\"price\":" + i + "}"));
    }
    // Created over existing keys: built in the background on every member.
    createIndex(IndexSpec.newBuilder().setName("docs").setKeyPrefix(ByteString.copyFromUtf8("doc/"))
        .addTextFields("title").addKeywordFields("category").addNumericFields("price").build());
    SearchResponse lanternsEven = followerSearch().search(SearchRequest.newBuilder().setIndex("docs")
        .setQuery("lantern").addFilters(Filter.newBuilder().setField("category").setEquals("even"))
        .addFilters(Filter.newBuilder().setField("price").setRange(
            io.quorumkv.proto.v1.NumericRange.newBuilder().setMin(6).setMax(24).setMaxExclusive(true)))
        .setTopK(100).setIncludeValues(true).build());
    assertThat(keys(lanternsEven)).containsExactlyInAnyOrder("doc/6", "doc/12", "doc/18");
    assertThat(lanternsEven.getTotalHits()).isEqualTo(3);
    assertThat(lanternsEven.getHitsList()).allSatisfy(h -> assertThat(h.getKv().getValue().getJson()).contains("lantern"));
  }

  @Test
  void semanticSearchWithTheRealModelOnAFollower() throws Exception {
    Map<String, String> docs = Map.of(
        "note/fox", "the quick brown fox jumps over the lazy dog",
        "note/cooking", "cooking recipes for a family dinner",
        "note/stocks", "the stock market fell sharply today",
        "note/rain", "it is pouring outside, take an umbrella",
        "note/car", "my automobile needs new tyres");
    docs.forEach((key, value) -> put(key, text(value)));
    // Created after the keys exist: the leader embeds them in the background, then the index is READY.
    createIndex(IndexSpec.newBuilder().setName("notes").setKeyPrefix(ByteString.copyFromUtf8("note/")).setText(true)
        .setSemantic(SemanticField.getDefaultInstance()).build());
    put("note/cat", text("a kitten sleeping in the sun"));
    Map<String, String> expected = Map.of(
        "fast animal", "note/fox",
        "vehicle maintenance", "note/car",
        "wet weather", "note/rain",
        "finance news", "note/stocks",
        "a small pet napping", "note/cat");
    for (Map.Entry<String, String> query : expected.entrySet()) {
      SearchResponse response = followerSearch().search(SearchRequest.newBuilder().setIndex("notes")
          .setSemanticText(query.getKey()).setTopK(3).build());
      assertThat(keys(response)).as("semantic \"%s\"", query.getKey()).contains(query.getValue());
    }
    SearchResponse hybrid = followerSearch().search(SearchRequest.newBuilder().setIndex("notes")
        .setQuery("dog").setSemanticText("fast animal").setTopK(3).build());
    assertThat(keys(hybrid).get(0)).isEqualTo("note/fox");
  }

  @Test
  void badSearchesFailWithClearStatuses() throws Exception {
    createIndex(IndexSpec.newBuilder().setName("bad").setKeyPrefix(ByteString.copyFromUtf8("bad/")).setText(true)
        .setVector(VectorField.newBuilder().setField("v").setDimension(3)).build());
    expect(Status.Code.INVALID_ARGUMENT, "empty search",
        () -> followerSearch().search(SearchRequest.newBuilder().setIndex("bad").build()));
    expect(Status.Code.NOT_FOUND, "no index named",
        () -> followerSearch().search(SearchRequest.newBuilder().setIndex("nope").setQuery("x").build()));
    expect(Status.Code.INVALID_ARGUMENT, "dimension 2",
        () -> followerSearch().search(SearchRequest.newBuilder().setIndex("bad").addVector(1).addVector(2).build()));
    expect(Status.Code.INVALID_ARGUMENT, "top_k",
        () -> followerSearch().search(SearchRequest.newBuilder().setIndex("bad").setQuery("x").setTopK(5000).build()));
    expect(Status.Code.INVALID_ARGUMENT, "does not parse",
        () -> followerSearch().search(SearchRequest.newBuilder().setIndex("bad").setQuery("\"unclosed").build()));
    expect(Status.Code.INVALID_ARGUMENT, "fields the index does not have",
        () -> followerSearch().search(SearchRequest.newBuilder().setIndex("bad").setQuery("title:x").build()));
    expect(Status.Code.INVALID_ARGUMENT, "spec.name",
        () -> leaderSearch().createIndex(CreateIndexRequest.newBuilder().setSpec(IndexSpec.newBuilder()
            .setName("Bad Name").setText(true)).build()));
    expect(Status.Code.ALREADY_EXISTS, "different spec",
        () -> leaderSearch().createIndex(CreateIndexRequest.newBuilder().setSpec(IndexSpec.newBuilder()
            .setName("bad").setKeyPrefix(ByteString.copyFromUtf8("other/")).setText(true)).build()));
  }

  private static void expect(Status.Code code, String message, Supplier<?> call) {
    assertThatThrownBy(call::get).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(code);
      assertThat(e.getStatus().getDescription()).contains(message);
    });
  }
}
