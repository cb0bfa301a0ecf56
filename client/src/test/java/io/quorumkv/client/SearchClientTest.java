package io.quorumkv.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.quorumkv.proto.v1.Consistency;
import io.quorumkv.proto.v1.CreateIndexRequest;
import io.quorumkv.proto.v1.DropIndexRequest;
import io.quorumkv.proto.v1.Filter;
import io.quorumkv.proto.v1.KeyValue;
import io.quorumkv.proto.v1.NumericRange;
import io.quorumkv.proto.v1.ResponseHeader;
import io.quorumkv.proto.v1.SearchRequest;
import io.quorumkv.proto.v1.SearchResponse;
import io.quorumkv.proto.v1.WriteId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The search API against fake members: request mapping, routing, retries, errors and paging. */
class SearchClientTest {
  private static final long SEED = 13;

  @RegisterExtension final FakeCluster cluster = new FakeCluster(SEED);
  private FakeNode leader;

  @BeforeEach
  void startLeader() throws IOException {
    leader = cluster.node("leader");
  }

  private static IndexSpec fullSpec() {
    return IndexSpec.builder("books")
        .keyPrefix("book/")
        .textValues(true)
        .textFields("title", "body")
        .analyzer(IndexSpec.Analyzer.ENGLISH)
        .keywordFields("genre", "tags")
        .numericFields("year")
        .vector("embedding", 3, IndexSpec.VectorMetric.L2)
        .semantic(IndexSpec.SemanticField.of("summary"))
        .build();
  }

  @Test
  void createIndexSendsEveryFieldOfTheSpec() {
    QuorumKvClient kv = cluster.client(leader.endpoint());

    CreateIndexResult result = kv.createIndex(fullSpec());

    assertThat(result).isEqualTo(new CreateIndexResult(1, true));
    CreateIndexRequest sent = leader.searchRequests(CreateIndexRequest.class).get(0);
    assertThat(sent.getSpec())
        .isEqualTo(
            io.quorumkv.proto.v1.IndexSpec.newBuilder()
                .setName("books")
                .setKeyPrefix(ByteString.copyFromUtf8("book/"))
                .setText(true)
                .addTextFields("title")
                .addTextFields("body")
                .setAnalyzer(io.quorumkv.proto.v1.Analyzer.ENGLISH)
                .addKeywordFields("genre")
                .addKeywordFields("tags")
                .addNumericFields("year")
                .setVector(
                    io.quorumkv.proto.v1.VectorField.newBuilder()
                        .setField("embedding")
                        .setDimension(3)
                        .setMetric(io.quorumkv.proto.v1.VectorMetric.L2))
                .setSemantic(io.quorumkv.proto.v1.SemanticField.newBuilder().setField("summary"))
                .build());
    assertThat(sent.getWriteId().getSequence()).isEqualTo(1);
    assertThat(sent.getWriteId().getClientId().size()).isEqualTo(16);
  }

  @Test
  void aMinimalSpecLeavesEverythingElseUnset() {
    QuorumKvClient kv = cluster.client(leader.endpoint());

    kv.createIndex(
        IndexSpec.builder("notes").textValues(true).semantic(IndexSpec.SemanticField.textValue()).build());

    io.quorumkv.proto.v1.IndexSpec sent = leader.searchRequests(CreateIndexRequest.class).get(0).getSpec();
    assertThat(sent.getKeyPrefix()).isEmpty();
    assertThat(sent.getAnalyzer()).isEqualTo(io.quorumkv.proto.v1.Analyzer.STANDARD);
    assertThat(sent.hasVector()).isFalse();
    assertThat(sent.hasSemantic()).isTrue();
    assertThat(sent.getSemantic().getField()).isEmpty();
  }

  @Test
  void anEqualSpecIsNotCreatedAgainAndAnotherSpecIsRefused() {
    QuorumKvClient kv = cluster.client(leader.endpoint());
    kv.createIndex(fullSpec());

    assertThat(kv.createIndex(fullSpec()).created()).isFalse();
    int before = leader.requests();
    assertThatThrownBy(() -> kv.createIndex(fullSpec().toBuilder().numericFields("pages").build()))
        .isInstanceOfSatisfying(
            IndexExistsException.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
              assertThat(e.errorCode()).contains("INDEX_EXISTS");
              assertThat(e.getMessage()).contains("index books exists");
            });
    assertThat(leader.requests() - before).isEqualTo(1); // not retried
  }

  @Test
  void createIndexRetriesUnavailableWithTheSameWriteId() {
    QuorumKvClient kv = cluster.client(leader.endpoint());
    leader.failNext(2, Status.Code.UNAVAILABLE, "LEADER_NOT_READY");

    assertThat(kv.createIndex(fullSpec()).created()).isTrue();
    assertThat(kv.dropIndex("books")).isTrue();

    List<WriteId> ids = leader.writeIds();
    assertThat(ids).hasSize(4);
    assertThat(ids.subList(0, 3)).containsOnly(ids.get(0));
    assertThat(ids.get(0).getSequence()).isEqualTo(1);
    assertThat(ids.get(3).getSequence()).isEqualTo(2);
    assertThat(leader.searchRequests(CreateIndexRequest.class)).hasSize(3).containsOnly(
        leader.searchRequests(CreateIndexRequest.class).get(0));
  }

  @Test
  void aTimedOutCreateIsRetriedWithTheSameIdAndAppliedOnce() {
    QuorumKvClient kv = cluster.client(leader.endpoint());
    leader.delayNextAnswer(Duration.ofMillis(800)); // applied, but answered after the attempt deadline

    // The retry is deduplicated: it gets the first attempt's answer, not "exists with an equal spec".
    assertThat(kv.createIndex(fullSpec()).created()).isTrue();
    assertThat(leader.writeIds()).hasSize(2).containsOnly(leader.writeIds().get(0));
  }

  @Test
  void createAndDropFollowTheLeaderHint() throws IOException {
    FakeNode follower = cluster.node("follower");
    follower.follow(leader.endpoint());
    QuorumKvClient kv = cluster.client(follower.endpoint());

    kv.createIndex(fullSpec());
    assertThat(kv.dropIndex("books")).isTrue();
    assertThat(kv.dropIndex("books")).isFalse();

    assertThat(follower.requests()).isEqualTo(1);
    assertThat(kv.preferredEndpoint()).isEqualTo(leader.endpoint());
    // The redirected attempt re-sent the WriteId the follower refused.
    assertThat(leader.writeIds().get(0)).isEqualTo(follower.writeIds().get(0));
    assertThat(leader.searchRequests(DropIndexRequest.class)).extracting(DropIndexRequest::getName)
        .containsExactly("books", "books");
    assertThat(leader.indexes()).isEmpty();
  }

  @Test
  void dropWithoutALeaderHintMovesToTheNextEndpoint() throws IOException {
    FakeNode follower = cluster.node("follower");
    follower.follow(null);
    QuorumKvClient kv = cluster.client(follower.endpoint(), leader.endpoint());

    assertThat(kv.dropIndex("none")).isFalse();
    assertThat(kv.preferredEndpoint()).isEqualTo(leader.endpoint());
  }

  @Test
  void searchSendsEveryFieldOfTheQuery() {
    QuorumKvClient kv = cluster.client(leader.endpoint());
    kv.createIndex(fullSpec());
    SearchQuery query =
        SearchQuery.builder("books")
            .query("raft AND log")
            .vector(0.5f, -1f, 2f)
            .filter(SearchFilter.equalTo("genre", "systems"))
            .filter(SearchFilter.range("year", 2000, 2020))
            .filter(SearchFilter.greaterThan("pages", 100))
            .filter(SearchFilter.lessThan("price", 9.5))
            .topK(25)
            .cursor(ByteString.copyFromUtf8("c1"))
            .includeValues(true)
            .rrfK(30)
            .read(ReadOptions.stale(7))
            .build();

    kv.search(query);

    SearchRequest sent = leader.searchRequests(SearchRequest.class).get(0);
    assertThat(sent)
        .isEqualTo(
            SearchRequest.newBuilder()
                .setIndex("books")
                .setQuery("raft AND log")
                .addVector(0.5f)
                .addVector(-1f)
                .addVector(2f)
                .addFilters(Filter.newBuilder().setField("genre").setEquals("systems"))
                .addFilters(
                    Filter.newBuilder().setField("year").setRange(NumericRange.newBuilder().setMin(2000).setMax(2020)))
                .addFilters(
                    Filter.newBuilder()
                        .setField("pages")
                        .setRange(NumericRange.newBuilder().setMin(100).setMinExclusive(true)))
                .addFilters(
                    Filter.newBuilder()
                        .setField("price")
                        .setRange(NumericRange.newBuilder().setMax(9.5).setMaxExclusive(true)))
                .setTopK(25)
                .setCursor(ByteString.copyFromUtf8("c1"))
                .setIncludeValues(true)
                .setRrfK(30)
                .setRead(
                    io.quorumkv.proto.v1.ReadOptions.newBuilder()
                        .setConsistency(Consistency.STALE)
                        .setMinIndex(7))
                .build());
    // An open bound is absent, not 0.
    assertThat(sent.getFilters(2).getRange().hasMax()).isFalse();
    assertThat(sent.getFilters(3).getRange().hasMin()).isFalse();
    assertThat(query.kind()).isEqualTo(SearchQuery.Kind.HYBRID);
  }

  @Test
  void aSemanticSearchSendsOnlyItsText() {
    QuorumKvClient kv = cluster.client(leader.endpoint());
    kv.createIndex(fullSpec());

    kv.search(SearchQuery.builder("books").semanticText("how leaders are elected").build());

    SearchRequest sent = leader.searchRequests(SearchRequest.class).get(0);
    assertThat(sent.getSemanticText()).isEqualTo("how leaders are elected");
    assertThat(sent.getQuery()).isEmpty();
    assertThat(sent.getVectorList()).isEmpty();
    assertThat(sent.getTopK()).isZero();
    assertThat(sent.getRead().getConsistency()).isEqualTo(Consistency.LINEARIZABLE);
  }

  @Test
  void searchResponsesMapToPages() {
    QuorumKvClient kv = cluster.client(leader.endpoint());
    kv.createIndex(fullSpec());
    KeyValue kv1 =
        KeyValue.newBuilder()
            .setKey(ByteString.copyFromUtf8("book/1"))
            .setValue(Values.json("{\"title\":\"Raft\"}"))
            .setCreateIndex(3)
            .setModIndex(5)
            .setVersion(2)
            .build();
    leader.searcher(
        r ->
            SearchResponse.newBuilder()
                .setHeader(ResponseHeader.newBuilder().setMemberId("leader").setAppliedIndex(42))
                .addHits(
                    io.quorumkv.proto.v1.SearchHit.newBuilder()
                        .setKey(kv1.getKey())
                        .setScore(2.5f)
                        .setSnippet("<b>Raft</b> consensus")
                        .setKv(kv1))
                .addHits(
                    io.quorumkv.proto.v1.SearchHit.newBuilder()
                        .setKey(ByteString.copyFromUtf8("book/2"))
                        .setScore(1.25f))
                .setNextCursor(ByteString.copyFromUtf8("next"))
                .setTotalHits(17)
                .build());

    SearchPage page = kv.search(SearchQuery.builder("books").query("raft").includeValues(true).build());

    assertThat(page.appliedIndex()).isEqualTo(42);
    assertThat(page.totalHits()).isEqualTo(OptionalLong.of(17));
    assertThat(page.hasNextPage()).isTrue();
    assertThat(page.nextCursor().toStringUtf8()).isEqualTo("next");
    assertThat(page.hits()).hasSize(2);
    SearchHit first = page.hits().get(0);
    assertThat(first.keyUtf8()).isEqualTo("book/1");
    assertThat(first.score()).isEqualTo(2.5f);
    assertThat(first.snippet()).isEqualTo("<b>Raft</b> consensus");
    assertThat(first.entry()).contains(Entry.of(kv1, 42));
    assertThat(page.hits().get(1).entry()).isEmpty();
    assertThat(page.hits().get(1).snippet()).isEmpty();

    // Vector searches have no total: the server's 0 is not reported as "no hits".
    assertThat(kv.search(SearchQuery.builder("books").vector(1, 2, 3).build()).totalHits()).isEmpty();
    assertThat(kv.search(SearchQuery.builder("books").query("a").semanticText("b").build()).totalHits())
        .isEmpty();
    assertThat(
            kv.search(SearchQuery.builder("books").filter(SearchFilter.equalTo("genre", "x")).build())
                .totalHits())
        .isEqualTo(OptionalLong.of(17));
  }

  @Test
  void anUnknownIndexFailsWithIndexNotFoundWithoutRetrying() throws IOException {
    FakeNode other = cluster.node("other");
    QuorumKvClient kv = cluster.client(leader.endpoint(), other.endpoint());

    assertThatThrownBy(() -> kv.search(SearchQuery.builder("nope").query("x").build()))
        .isInstanceOfSatisfying(
            IndexNotFoundException.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(Status.Code.NOT_FOUND);
              assertThat(e.errorCode()).contains("INDEX_NOT_FOUND");
              assertThat(e.member()).contains(leader.endpoint());
              assertThat(e.getMessage()).contains("no index named nope");
            });
    assertThat(leader.requests() + other.requests()).isEqualTo(1);
    assertThatThrownBy(() -> kv.async().search(SearchQuery.builder("nope").query("x").build()).join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(IndexNotFoundException.class);
  }

  @Test
  void aBuildingIndexIsRetriedOnTheNextMember() throws IOException {
    FakeNode other = cluster.node("other");
    QuorumKvClient kv = cluster.client(leader.endpoint(), other.endpoint());
    kv.createIndex(fullSpec());
    other.defineIndex(fullSpec().toProto());
    leader.failNext(1, Status.Code.UNAVAILABLE, "INDEX_UNAVAILABLE", "index books is building: 10/100 keys");
    other.searcher(r -> SearchResponse.newBuilder().setTotalHits(3).build());

    SearchPage page = kv.search(SearchQuery.builder("books").query("raft").build());

    assertThat(page.totalHits()).hasValue(3);
    assertThat(leader.searchRequests(SearchRequest.class)).hasSize(1);
    assertThat(other.searchRequests(SearchRequest.class)).hasSize(1);
  }

  @Test
  void aBuildingIndexIsRetriedUntilTheOverallTimeout() {
    QuorumKvClient kv = cluster.client(Duration.ofMillis(400), leader.endpoint());
    kv.createIndex(fullSpec());
    leader.failNext(10_000, Status.Code.UNAVAILABLE, "INDEX_UNAVAILABLE", "index books is building: 10/100 keys");

    assertThatThrownBy(() -> kv.search(SearchQuery.builder("books").query("raft").build()))
        .isInstanceOfSatisfying(
            UnavailableException.class,
            e -> {
              assertThat(e.errorCode()).contains("INDEX_UNAVAILABLE");
              assertThat(e.attempts()).isGreaterThan(2);
              assertThat(e.outcomeUnknown()).isFalse();
              assertThat(e.getMessage()).startsWith("Search gave up").contains("10/100 keys");
            });
  }

  @Test
  void listIndexesRetriesAndMapsStatuses() {
    QuorumKvClient kv = cluster.client(leader.endpoint());
    kv.createIndex(fullSpec());
    kv.createIndex(IndexSpec.builder("all").keywordFields("kind").build());
    kv.put("book/1", Values.text("x"));
    leader.indexStatus(
        "books",
        io.quorumkv.proto.v1.IndexStatus.newBuilder()
            .setState(io.quorumkv.proto.v1.IndexStatus.State.BUILDING)
            .setDocuments(4)
            .setBuildVisited(9)
            .setBuildIndexed(7)
            .setSkippedVectors(1)
            .setPendingEmbeddings(2)
            .setCreateIndex(1)
            .build());
    leader.failNext(1, Status.Code.UNAVAILABLE, "NODE_UNAVAILABLE");

    List<IndexStatus> indexes = kv.listIndexes(ReadOptions.stale(0));

    assertThat(indexes).extracting(IndexStatus::name).containsExactly("all", "books");
    IndexStatus all = indexes.get(0);
    assertThat(all.state()).isEqualTo(IndexStatus.State.READY);
    assertThat(all.isReady()).isTrue();
    assertThat(all.documents()).isEqualTo(1);
    assertThat(all.failure()).isEmpty();
    assertThat(all.member()).isEqualTo("leader");
    assertThat(all.appliedIndex()).isEqualTo(3);
    IndexStatus books = indexes.get(1);
    assertThat(books.spec()).isEqualTo(fullSpec()); // the spec survives the round trip
    assertThat(books.state()).isEqualTo(IndexStatus.State.BUILDING);
    assertThat(books.documents()).isEqualTo(4);
    assertThat(books.buildVisited()).isEqualTo(9);
    assertThat(books.buildIndexed()).isEqualTo(7);
    assertThat(books.indexPosition()).isEqualTo(3);
    assertThat(books.indexLag()).isZero();
    assertThat(books.skippedVectors()).isEqualTo(1);
    assertThat(books.pendingEmbeddings()).isEqualTo(2);
    assertThat(books.createIndex()).isEqualTo(1);
    assertThat(
            leader.searchRequests(io.quorumkv.proto.v1.ListIndexesRequest.class).get(0).getRead().getConsistency())
        .isEqualTo(Consistency.STALE);
  }

  @Test
  void aFailedIndexReportsWhy() {
    QuorumKvClient kv = cluster.client(leader.endpoint());
    kv.createIndex(fullSpec());
    leader.indexStatus(
        "books",
        io.quorumkv.proto.v1.IndexStatus.newBuilder()
            .setState(io.quorumkv.proto.v1.IndexStatus.State.FAILED)
            .setFailure("disk full")
            .build());

    IndexStatus books = kv.async().listIndexes().join().get(0);

    assertThat(books.state()).isEqualTo(IndexStatus.State.FAILED);
    assertThat(books.failure()).contains("disk full");
    assertThat(books.isReady()).isFalse();
  }

  /** Serves {@code count} hits "k00".. in pages of top_k; the cursor is the offset of the page. */
  private static Function<SearchRequest, SearchResponse> pagedHits(int count) {
    return r -> {
      int offset = r.getCursor().isEmpty() ? 0 : ByteBuffer.wrap(r.getCursor().toByteArray()).getInt();
      int topK = r.getTopK() == 0 ? 10 : r.getTopK();
      SearchResponse.Builder page = SearchResponse.newBuilder().setTotalHits(count);
      for (int i = offset; i < Math.min(count, offset + topK); i++) {
        page.addHits(
            io.quorumkv.proto.v1.SearchHit.newBuilder()
                .setKey(ByteString.copyFromUtf8(String.format("k%02d", i)))
                .setScore(count - i));
      }
      if (offset + topK < count) {
        page.setNextCursor(ByteString.copyFrom(ByteBuffer.allocate(4).putInt(offset + topK).array()));
      }
      return page.build();
    };
  }

  @Test
  void searchAllFollowsCursorsWithTheQueryOtherwiseUnchanged() {
    QuorumKvClient kv = cluster.client(leader.endpoint());
    kv.createIndex(fullSpec());
    leader.searcher(pagedHits(25));
    SearchQuery query =
        SearchQuery.builder("books")
            .query("raft")
            .filter(SearchFilter.atLeast("year", 2000))
            .topK(10)
            .includeValues(true)
            .build();

    assertThat(kv.searchAll(query).map(SearchHit::keyUtf8))
        .hasSize(25)
        .startsWith("k00", "k01")
        .endsWith("k24")
        .doesNotHaveDuplicates();

    List<SearchRequest> sent = leader.searchRequests(SearchRequest.class);
    assertThat(sent).hasSize(3);
    assertThat(sent.get(0).getCursor()).isEmpty();
    assertThat(sent.get(1).getCursor()).isNotEmpty();
    assertThat(sent.get(2).getCursor()).isNotEqualTo(sent.get(1).getCursor());
    assertThat(sent).allSatisfy(r -> assertThat(r.toBuilder().clearCursor().build())
        .isEqualTo(query.toRequest()));

    List<String> keys = new ArrayList<>();
    assertThat(kv.searchForEach(query, hit -> keys.add(hit.keyUtf8()))).isEqualTo(25);
    assertThat(keys).isSorted().hasSize(25);
    assertThat(kv.async().searchForEach(query.withCursor(sent.get(2).getCursor()), hit -> {}).join())
        .isEqualTo(5);
  }

  @Test
  void searchAllIsLazyAndStartsAtTheQueryCursor() {
    QuorumKvClient kv = cluster.client(leader.endpoint());
    kv.createIndex(fullSpec());
    leader.searcher(pagedHits(30));
    SearchQuery query = SearchQuery.builder("books").query("raft").build();

    Optional<SearchHit> first = kv.searchAll(query).findFirst();
    assertThat(first.map(SearchHit::keyUtf8)).contains("k00");
    assertThat(leader.searchRequests(SearchRequest.class)).hasSize(1);

    SearchPage page = kv.search(query);
    assertThat(kv.searchAll(query.withCursor(page.nextCursor())).map(SearchHit::keyUtf8).toList())
        .hasSize(20)
        .startsWith("k10");
    assertThat(kv.searchAll(query).limit(15).count()).isEqualTo(15);
  }

  @Test
  void queryBuilderChecksTheCombinationOfKinds() {
    assertThat(SearchQuery.builder("i").query("q").build().kind()).isEqualTo(SearchQuery.Kind.FULL_TEXT);
    assertThat(SearchQuery.builder("i").vector(1f).build().kind()).isEqualTo(SearchQuery.Kind.VECTOR);
    assertThat(SearchQuery.builder("i").semanticText("s").build().kind()).isEqualTo(SearchQuery.Kind.SEMANTIC);
    assertThat(SearchQuery.builder("i").query("q").semanticText("s").build().kind())
        .isEqualTo(SearchQuery.Kind.HYBRID);
    assertThat(SearchQuery.builder("i").filter(SearchFilter.atMost("n", 1)).build().kind())
        .isEqualTo(SearchQuery.Kind.FILTER_ONLY);

    assertThatThrownBy(() -> SearchQuery.builder("i").vector(1f).semanticText("s").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not both");
    assertThatThrownBy(() -> SearchQuery.builder("i").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs a query");
    assertThatThrownBy(() -> SearchQuery.builder("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SearchQuery.builder("i").vector(1f, Float.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SearchQuery.builder("i").topK(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SearchQuery.builder("i").rrfK(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void queriesAreImmutableAndWithCursorKeepsTheRest() {
    float[] vector = {1f, 2f};
    SearchQuery.Builder builder = SearchQuery.builder("i").vector(vector).topK(5);
    SearchQuery query = builder.build();
    vector[0] = 9f;
    builder.topK(7);
    query.vector()[1] = 9f;

    assertThat(query.vector()).containsExactly(1f, 2f);
    assertThat(query.topK()).isEqualTo(5);
    SearchQuery next = query.withCursor(ByteString.copyFromUtf8("c"));
    assertThat(next.cursor().toStringUtf8()).isEqualTo("c");
    assertThat(next.toRequest().toBuilder().clearCursor().build()).isEqualTo(query.toRequest());
  }

  @Test
  void filtersCheckTheirBounds() {
    assertThatThrownBy(() -> SearchFilter.range("n", 5, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SearchFilter.atLeast("n", Double.POSITIVE_INFINITY))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SearchFilter.equalTo("", "v")).isInstanceOf(IllegalArgumentException.class);
    SearchFilter f = SearchFilter.range("n", 1, true, 2, false);
    assertThat(f.isRange()).isTrue();
    assertThat(f.min()).hasValue(1);
    assertThat(f.max()).hasValue(2);
    assertThat(f.toString()).isEqualTo("n in (1.0, 2.0]");
    assertThat(SearchFilter.equalTo("g", "x").equalToValue()).contains("x");
    assertThat(SearchFilter.atMost("n", 3).min()).isEmpty();
    assertThat(SearchFilter.atMost("n", 3).toString()).isEqualTo("n in (-inf, 3.0]");
  }

  @Test
  void specBuilderChecksItsFields() {
    assertThatThrownBy(() -> IndexSpec.builder("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IndexSpec.builder("i").vector("v", 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IndexSpec.builder("i").textFields("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IndexSpec.SemanticField.of("")).isInstanceOf(IllegalArgumentException.class);
    IndexSpec spec = IndexSpec.builder("i").vector("v", 4).build();
    assertThat(spec.vector()).contains(new IndexSpec.VectorField("v", 4, IndexSpec.VectorMetric.COSINE));
    assertThat(IndexSpec.fromProto(spec.toProto())).isEqualTo(spec);
    assertThat(IndexSpec.fromProto(fullSpec().toProto())).isEqualTo(fullSpec()).hasSameHashCodeAs(fullSpec());
  }

  @Test
  void asyncIndexCallsCompleteFutures() {
    AsyncKvClient kv = cluster.client(leader.endpoint()).async();

    assertThat(kv.createIndex(fullSpec()).thenCompose(c -> kv.dropIndex("books")).join()).isTrue();
    assertThat(kv.listIndexes().join()).isEmpty();
    assertThat(IntStream.range(0, 3).mapToObj(i -> kv.dropIndex("books")).map(f -> f.join()))
        .containsOnly(false);
  }
}
