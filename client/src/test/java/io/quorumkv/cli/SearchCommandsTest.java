package io.quorumkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.quorumkv.cli.FakeNodeCli.Result;
import io.quorumkv.proto.v1.Analyzer;
import io.quorumkv.proto.v1.Consistency;
import io.quorumkv.proto.v1.CreateIndexRequest;
import io.quorumkv.proto.v1.Filter;
import io.quorumkv.proto.v1.IndexSpec;
import io.quorumkv.proto.v1.IndexStatus;
import io.quorumkv.proto.v1.KeyValue;
import io.quorumkv.proto.v1.NumericRange;
import io.quorumkv.proto.v1.SearchHit;
import io.quorumkv.proto.v1.SearchRequest;
import io.quorumkv.proto.v1.SearchResponse;
import io.quorumkv.proto.v1.SemanticField;
import io.quorumkv.proto.v1.Value;
import io.quorumkv.proto.v1.VectorField;
import io.quorumkv.proto.v1.VectorMetric;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The index and search commands against a fake member: argument parsing, requests sent, output. */
class SearchCommandsTest {
  @RegisterExtension final FakeNodeCli cli = new FakeNodeCli();

  private IndexSpec lastCreated() {
    List<CreateIndexRequest> sent = cli.node().searchRequests(CreateIndexRequest.class);
    return sent.get(sent.size() - 1).getSpec();
  }

  private SearchRequest lastSearch() {
    List<SearchRequest> sent = cli.node().searchRequests(SearchRequest.class);
    return sent.get(sent.size() - 1);
  }

  private void defineBooks() {
    cli.node().defineIndex(IndexSpec.newBuilder().setName("books").setText(true).build());
  }

  private static SearchHit hit(String key, float score, String snippet) {
    return SearchHit.newBuilder().setKey(ByteString.copyFromUtf8(key)).setScore(score).setSnippet(snippet).build();
  }

  // ---- index create / drop / list ----

  @Test
  void indexCreateMapsEveryOption() {
    Result r =
        cli.run("index", "create", "books", "--prefix", "book/", "--text", "--text-field", "title",
            "--text-field", "body,summary", "--analyzer", "English", "--keyword-field", "genre",
            "--numeric-field", "year,pages", "--vector-field", "embedding", "--dimension", "3",
            "--metric", "dot", "--semantic-field", "summary");

    assertThat(r).isEqualTo(new Result(0, "created (log index 1)\n", ""));
    assertThat(lastCreated())
        .isEqualTo(
            IndexSpec.newBuilder()
                .setName("books")
                .setKeyPrefix(ByteString.copyFromUtf8("book/"))
                .setText(true)
                .addTextFields("title")
                .addTextFields("body")
                .addTextFields("summary")
                .setAnalyzer(Analyzer.ENGLISH)
                .addKeywordFields("genre")
                .addNumericFields("year")
                .addNumericFields("pages")
                .setVector(
                    VectorField.newBuilder().setField("embedding").setDimension(3).setMetric(VectorMetric.DOT_PRODUCT))
                .setSemantic(SemanticField.newBuilder().setField("summary"))
                .build());
    assertThat(cli.node().searchRequests(CreateIndexRequest.class).get(0).getWriteId().getSequence()).isEqualTo(1);
  }

  @Test
  void indexCreateDefaultsAndSemanticTextValues() {
    assertThat(cli.run("index", "create", "notes", "--prefix", "", "--semantic").exitCode()).isZero();
    IndexSpec notes = lastCreated();
    assertThat(notes.getKeyPrefix()).isEmpty();
    assertThat(notes.hasSemantic()).isTrue();
    assertThat(notes.getSemantic().getField()).isEmpty(); // the text value itself
    assertThat(notes.getText()).isFalse();

    assertThat(cli.run("index", "create", "vecs", "--prefix", "v/", "--vector-field", "e", "--dimension", "2")
            .exitCode())
        .isZero();
    assertThat(lastCreated().getVector().getMetric()).isEqualTo(VectorMetric.COSINE);
    assertThat(lastCreated().getAnalyzer()).isEqualTo(Analyzer.STANDARD);
    assertThat(lastCreated().hasSemantic()).isFalse();
  }

  @Test
  void indexCreateOfAnExistingIndex() {
    assertThat(cli.run("index", "create", "books", "--prefix", "b/", "--text").exitCode()).isZero();

    assertThat(cli.run("index", "create", "books", "--prefix", "b/", "--text"))
        .isEqualTo(new Result(0, "exists with an equal spec (log index 2)\n", ""));
    Result conflict = cli.run("index", "create", "books", "--prefix", "other/", "--text");
    assertThat(conflict.exitCode()).isEqualTo(ExitCodes.INVALID_REQUEST);
    assertThat(conflict.out()).isEmpty();
    assertThat(conflict.err()).startsWith("quorumkv: index exists with another spec: ALREADY_EXISTS INDEX_EXISTS");
  }

  @Test
  void indexCreateUsageErrorsConnectNowhere() {
    String[][] invalid = {
      {"index", "create", "books", "--text"}, // --prefix is required
      {"index", "create", "--prefix", "b/", "--text"}, // NAME
      {"index", "create", "books", "--prefix", "b/"}, // nothing to index
      {"index", "create", "books", "--prefix", "b/", "--text", "--analyzer", "french"},
      {"index", "create", "books", "--prefix", "b/", "--vector-field", "e"},
      {"index", "create", "books", "--prefix", "b/", "--dimension", "3"},
      {"index", "create", "books", "--prefix", "b/", "--vector-field", "e", "--dimension", "0"},
      {"index", "create", "books", "--prefix", "b/", "--vector-field", "e", "--dimension", "x"},
      {"index", "create", "books", "--prefix", "b/", "--vector-field", "e", "--dimension", "3", "--metric", "manhattan"},
      {"index", "create", "books", "--prefix", "b/", "--text", "--metric", "l2"},
      {"index", "create", "books", "--prefix", "b/", "--text-field", ""},
      {"index", "create", "books", "--prefix", "b/", "--semantic", "--semantic-field", ""},
      {"index"},
      {"index", "frobnicate"},
    };
    for (String[] args : invalid) {
      Result r = cli.run(args);
      assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err()).as(String.join(" ", args)).isNotEmpty();
    }
    assertThat(cli.node().requests()).isZero();
    assertThat(cli.run("index", "create", "books", "--prefix", "b/", "--text", "--analyzer", "french").err())
        .contains("--analyzer must be standard or english");
  }

  @Test
  void indexDropPrintsDroppedOrNotFound() {
    defineBooks();
    assertThat(cli.run("index", "drop", "books")).isEqualTo(new Result(0, "dropped\n", ""));
    assertThat(cli.run("index", "drop", "books")).isEqualTo(new Result(ExitCodes.NOT_FOUND, "not found\n", ""));
    assertThat(cli.node().indexes()).isEmpty();
  }

  @Test
  void indexListPrintsATable() {
    assertThat(cli.run("index", "list")).isEqualTo(new Result(0, "no indexes\n", ""));

    cli.node().defineIndex(
        IndexSpec.newBuilder()
            .setName("books")
            .setKeyPrefix(ByteString.copyFromUtf8("book/"))
            .setText(true)
            .addTextFields("title")
            .setAnalyzer(Analyzer.ENGLISH)
            .addKeywordFields("genre")
            .addNumericFields("year")
            .build());
    cli.node().defineIndex(
        IndexSpec.newBuilder()
            .setName("docs")
            .setVector(VectorField.newBuilder().setField("emb").setDimension(384).setMetric(VectorMetric.DOT_PRODUCT))
            .setSemantic(SemanticField.getDefaultInstance())
            .build());
    cli.node().indexStatus(
        "docs",
        IndexStatus.newBuilder()
            .setState(IndexStatus.State.BUILDING)
            .setDocuments(12)
            .setBuildVisited(40)
            .setBuildIndexed(38)
            .setPendingEmbeddings(3)
            .build());
    cli.run("put", "book/1", "x");

    Result table = cli.run("index", "list", "--stale");
    assertThat(table.exitCode()).isZero();
    assertThat(table.out().lines())
        .containsExactly(
            "2 index(es) on member n1, applied index 1",
            "NAME   PREFIX      STATE     DOCUMENTS  FIELDS                                                  NOTE",
            "books  book/       ready     1          text(english):(value),title keyword:genre numeric:year",
            "docs   (all keys)  building  12         vector:emb[384,dot] semantic:(value)                    "
                + "visited 40 keys, indexed 38, 3 pending embeddings");
    assertThat(
            cli.node().searchRequests(io.quorumkv.proto.v1.ListIndexesRequest.class).get(1).getRead().getConsistency())
        .isEqualTo(Consistency.STALE);

    Result json = cli.run("index", "list", "--json");
    assertThat(json.exitCode()).isZero();
    assertThat(json.out())
        .startsWith("[\n  {\"name\": \"books\", \"state\": \"READY\", \"documents\": 1,")
        .contains("\"key_prefix\": \"book/\"")
        .contains("\"analyzer\": \"ENGLISH\"")
        .contains("\"text_fields\": [\"title\"]")
        .contains("\"vector\": {\"field\": \"emb\", \"dimension\": 384, \"metric\": \"DOT_PRODUCT\"}")
        .contains("\"semantic\": {\"field\": \"\"}")
        .contains("\"build_visited\": 40, \"build_indexed\": 38")
        .contains("\"member\": \"n1\"");

    cli.node().indexPosition(0);
    assertThat(cli.run("index", "list").out()).contains("ready     1          text(english):(value),title keyword:genre "
        + "numeric:year  indexing 1 log entries behind");
  }

  @Test
  void globalOptionsWorkAfterNestedCommands() {
    Result r = cli.runExactly("index", "list", "--endpoints", cli.node().endpoint(), "--timeout", "2");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).isEqualTo("no indexes\n");
  }

  // ---- search ----

  @Test
  void searchPrintsOneLinePerHitAndTheNextCursor() {
    defineBooks();
    cli.node().searcher(
        r ->
            SearchResponse.newBuilder()
                .addHits(hit("book/1", 3.14159f, "about <b>raft</b>\nand logs"))
                .addHits(hit("book/2", 1f, "<b>raft</b>"))
                .setNextCursor(ByteString.copyFrom(new byte[] {(byte) 0xfb, (byte) 0xff, 1}))
                .setTotalHits(9)
                .build());

    Result r = cli.run("search", "books", "raft");

    assertThat(r.exitCode()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out())
        .isEqualTo(
            "1\t3.1416\tbook/1\tabout <b>raft</b> and logs\n"
                + "2\t1.0000\tbook/2\t<b>raft</b>\n"
                + "next cursor: -_8B\n");
    SearchRequest sent = lastSearch();
    assertThat(sent.getIndex()).isEqualTo("books");
    assertThat(sent.getQuery()).isEqualTo("raft");
    assertThat(sent.getCursor()).isEmpty();
    assertThat(sent.getIncludeValues()).isFalse();
    assertThat(sent.getRead().getConsistency()).isEqualTo(Consistency.LINEARIZABLE);

    // The printed cursor is accepted back, in URL-safe or standard base64.
    cli.run("search", "books", "raft", "--cursor", "-_8B");
    assertThat(lastSearch().getCursor()).isEqualTo(ByteString.copyFrom(new byte[] {(byte) 0xfb, (byte) 0xff, 1}));
    cli.run("search", "books", "raft", "--cursor", "+/8B");
    assertThat(lastSearch().getCursor()).isEqualTo(ByteString.copyFrom(new byte[] {(byte) 0xfb, (byte) 0xff, 1}));
  }

  @Test
  void searchMapsFiltersPagingAndConsistency() {
    defineBooks();

    Result r =
        cli.run("search", "books", "title:raft OR paxos", "--filter", "genre=distributed systems", "--filter", "tag=",
            "--range", "year=2000..2020", "--range", "price=..9.5", "--range", "pages=100..", "--top-k", "5",
            "--min-index", "7");

    assertThat(r).isEqualTo(new Result(0, "", ""));
    assertThat(lastSearch())
        .isEqualTo(
            SearchRequest.newBuilder()
                .setIndex("books")
                .setQuery("title:raft OR paxos")
                .addFilters(Filter.newBuilder().setField("genre").setEquals("distributed systems"))
                .addFilters(Filter.newBuilder().setField("tag").setEquals(""))
                .addFilters(Filter.newBuilder().setField("year").setRange(NumericRange.newBuilder().setMin(2000).setMax(2020)))
                .addFilters(Filter.newBuilder().setField("price").setRange(NumericRange.newBuilder().setMax(9.5)))
                .addFilters(Filter.newBuilder().setField("pages").setRange(NumericRange.newBuilder().setMin(100)))
                .setTopK(5)
                .setRead(io.quorumkv.proto.v1.ReadOptions.newBuilder().setConsistency(Consistency.STALE).setMinIndex(7))
                .build());
  }

  @Test
  void searchWithOnlyFiltersAndValues() {
    defineBooks();
    KeyValue kv =
        KeyValue.newBuilder()
            .setKey(ByteString.copyFromUtf8("book/1"))
            .setValue(Value.newBuilder().setJson("{\n  \"genre\": \"sf\"\n}"))
            .build();
    cli.node().searcher(
        r -> SearchResponse.newBuilder().addHits(hit("book/1", 1f, "").toBuilder().setKv(kv)).setTotalHits(1).build());

    Result r = cli.run("search", "books", "--filter", "genre=sf", "--values", "--stale");

    assertThat(r).isEqualTo(new Result(0, "1\t1.0000\tbook/1\t\t{   \"genre\": \"sf\" }\n", ""));
    assertThat(lastSearch().getQuery()).isEmpty();
    assertThat(lastSearch().getIncludeValues()).isTrue();
    assertThat(lastSearch().getRead().getConsistency()).isEqualTo(Consistency.STALE);
  }

  @Test
  void searchJsonOutput() {
    defineBooks();
    KeyValue kv =
        KeyValue.newBuilder()
            .setKey(ByteString.copyFromUtf8("book/\"1\""))
            .setValue(Value.newBuilder().setText("line1\nline2"))
            .setCreateIndex(2)
            .setModIndex(3)
            .setVersion(2)
            .build();
    cli.node().searcher(
        r ->
            SearchResponse.newBuilder()
                .addHits(hit("book/\"1\"", 2.5f, "<b>x</b>").toBuilder().setKv(kv))
                .setNextCursor(ByteString.copyFromUtf8("c"))
                .setTotalHits(4)
                .build());

    Result r = cli.run("search", "books", "x", "--json", "--values");

    assertThat(r.exitCode()).isZero();
    assertThat(r.out())
        .isEqualTo(
            "{\n"
                + "  \"index\": \"books\",\n"
                + "  \"kind\": \"FULL_TEXT\",\n"
                + "  \"applied_index\": 0,\n"
                + "  \"total_hits\": 4,\n"
                + "  \"next_cursor\": \"Yw\",\n"
                + "  \"hits\": [\n"
                + "    {\"rank\": 1, \"key\": \"book/\\\"1\\\"\", \"score\": 2.5, \"snippet\": \"<b>x</b>\","
                + " \"value\": \"line1\\nline2\", \"value_kind\": \"text\", \"create_index\": 2, \"mod_index\": 3,"
                + " \"version\": 2}\n"
                + "  ]\n"
                + "}\n");

    cli.node().searcher(r2 -> SearchResponse.getDefaultInstance());
    assertThat(cli.run("vector", "books", "1,2", "--json").out())
        .isEqualTo(
            "{\n  \"index\": \"books\",\n  \"kind\": \"VECTOR\",\n  \"applied_index\": 0,\n"
                + "  \"next_cursor\": \"\",\n  \"hits\": []\n}\n");
  }

  @Test
  void searchUsageErrorsConnectNowhere() {
    String[][] invalid = {
      {"search"},
      {"search", "books"}, // neither QUERY nor a filter
      {"search", "books", "x", "--filter", "genre"},
      {"search", "books", "x", "--filter", "=sf"},
      {"search", "books", "x", "--range", "year"},
      {"search", "books", "x", "--range", "year=2000"},
      {"search", "books", "x", "--range", "year=2000-2020"},
      {"search", "books", "x", "--range", "year=.."},
      {"search", "books", "x", "--range", "year=a..b"},
      {"search", "books", "x", "--range", "year=2020..2000"},
      {"search", "books", "x", "--range", "year=0x10..20"},
      {"search", "books", "x", "--range", "=1..2"},
      {"search", "books", "x", "--top-k", "-1"},
      {"search", "books", "x", "--top-k", "ten"},
      {"search", "books", "x", "--cursor", "not base64!"},
      {"semantic", "books"},
      {"semantic", "books", " "},
      {"vector", "books"},
      {"vector", "books", ""},
      {"vector", "books", "0.1,abc"},
      {"vector", "books", "0.1,,0.2"},
      {"vector", "books", "NaN"},
      {"vector", "books", "1e99"},
      {"vector", "books", "1f"},
      {"hybrid", "books", "q"},
      {"hybrid", "books", "q", "--semantic", "s", "--vector", "1"},
      {"hybrid", "books", "q", "--vector", "1,x"},
      {"hybrid", "books", "q", "--semantic", "s", "--rrf-k", "-1"},
      {"hybrid", "books", "--semantic", "s"},
    };
    for (String[] args : invalid) {
      Result r = cli.run(args);
      assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err()).as(String.join(" ", args)).isNotEmpty();
    }
    assertThat(cli.node().requests()).isZero();
  }

  @Test
  void badInputIsExplained() {
    assertThat(cli.run("vector", "books", "0.1,abc").err())
        .startsWith("bad vector '0.1,abc': element 2 ('abc') is not a number;");
    assertThat(cli.run("search", "books", "x", "--range", "year=2000-2020").err())
        .startsWith("bad --range 'year=2000-2020': no '..' between the bounds;");
    assertThat(cli.run("search", "books", "x", "--range", "year=..").err())
        .startsWith("bad --range 'year=..': give a MIN, a MAX or both");
    assertThat(cli.run("search", "books", "x", "--filter", "genre").err())
        .startsWith("bad --filter 'genre': expected FIELD=VALUE");
    assertThat(cli.run("search", "books").err()).startsWith("give a QUERY, or at least one --filter or --range");
    assertThat(cli.run("hybrid", "books", "q").err()).startsWith("give either --semantic TEXT or --vector V");
  }

  @Test
  void semanticVectorAndHybridSendTheirKindOfQuery() {
    defineBooks();
    cli.node().searcher(r -> SearchResponse.newBuilder().addHits(hit("book/7", 0.98766f, "")).build());

    assertThat(cli.run("semantic", "books", "how are leaders elected", "--top-k", "3"))
        .isEqualTo(new Result(0, "1\t0.9877\tbook/7\t\n", ""));
    assertThat(lastSearch().getSemanticText()).isEqualTo("how are leaders elected");
    assertThat(lastSearch().getQuery()).isEmpty();
    assertThat(lastSearch().getTopK()).isEqualTo(3);

    assertThat(cli.run("vector", "books", "-0.5, 1,2.25e-1", "--filter", "genre=sf").exitCode()).isZero();
    assertThat(lastSearch().getVectorList()).containsExactly(-0.5f, 1f, 0.225f);
    assertThat(lastSearch().getFilters(0).getEquals()).isEqualTo("sf");
    assertThat(cli.run("vector", "books", "--", "-1,-2").exitCode()).isZero();
    assertThat(lastSearch().getVectorList()).containsExactly(-1f, -2f);

    assertThat(cli.run("hybrid", "books", "raft", "--semantic", "consensus", "--rrf-k", "20").exitCode()).isZero();
    assertThat(lastSearch().getQuery()).isEqualTo("raft");
    assertThat(lastSearch().getSemanticText()).isEqualTo("consensus");
    assertThat(lastSearch().getRrfK()).isEqualTo(20);
    assertThat(lastSearch().getVectorList()).isEmpty();

    assertThat(cli.run("hybrid", "books", "raft", "--vector", "-0.1,0.2").exitCode()).isZero();
    assertThat(lastSearch().getVectorList()).containsExactly(-0.1f, 0.2f);
    assertThat(lastSearch().getSemanticText()).isEmpty();
    assertThat(lastSearch().getRrfK()).isZero();
  }

  @Test
  void vectorTyposStillFail() {
    defineBooks();
    Result r = cli.run("vector", "books", "1,2", "--top-kk", "3");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.node().requests()).isZero();
  }

  @Test
  void anUnknownIndexExitsWithOne() {
    Result r = cli.run("search", "nope", "x");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith("quorumkv: no such index: NOT_FOUND INDEX_NOT_FOUND").contains("no index named nope");
  }

  @Test
  void aBuildingIndexIsWaitedForUntilTheTimeout() {
    defineBooks();
    cli.node().failNext(2, Status.Code.UNAVAILABLE, "INDEX_UNAVAILABLE", "building");
    assertThat(cli.run("search", "books", "x").exitCode()).isZero();

    cli.node().failNext(10_000, Status.Code.UNAVAILABLE, "INDEX_UNAVAILABLE", "index books is building: 5 of 80 keys");
    Result r = cli.runWithTimeout("0.3", "search", "books", "x");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(r.err()).startsWith("quorumkv: unavailable: Search gave up").contains("5 of 80 keys");
  }

  @Test
  void aServerRefusalOfTheQueryExitsWithThree() {
    defineBooks();
    cli.node().failNext(1, Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST", "query does not parse");
    Result r = cli.run("search", "books", "title:(");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.INVALID_REQUEST);
    assertThat(r.err()).startsWith("quorumkv: invalid request:").contains("query does not parse");
  }

  @Test
  void helpDescribesTheNewCommands() {
    Result help = cli.run("index", "create", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out())
        .contains("--vector-field=F")
        .contains("--semantic-field=F")
        .contains("Exit codes:")
        .contains("index exists");
    assertThat(cli.run("help", "search").out()).contains("--range=FIELD=MIN..MAX").contains("--cursor=CURSOR");
    assertThat(cli.run("--help").out()).contains("index").contains("hybrid");
  }
}
