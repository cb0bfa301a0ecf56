package io.quorumkv.statemachine.search;

import static io.quorumkv.statemachine.search.SearchFixture.keys;
import static io.quorumkv.statemachine.search.SearchFixture.on;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.v1.Analyzer;
import io.quorumkv.proto.v1.IndexSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Full-text search: BM25 ranking, the classic query syntax, analyzers, freshness, snippets and paging. */
class SearchFullTextTest {

  private static final String INDEX = "docs";

  @TempDir
  Path dir;

  private SearchFixture fx;

  @BeforeEach
  void open() {
    fx = SearchFixture.open(dir);
    fx.createIndex(IndexSpec.newBuilder().setName(INDEX).setKeyPrefix(ByteString.copyFromUtf8("doc/"))
        .addTextFields("title").addTextFields("body").setAnalyzer(Analyzer.STANDARD).build());
    fx.awaitReady(INDEX);
  }

  @AfterEach
  void close() {
    fx.close();
  }

  private void doc(String key, String title, String body) {
    fx.putJson("doc/" + key, "{\"title\": \"" + title + "\", \"body\": \"" + body + "\"}");
  }

  private List<String> find(String query) {
    return keys(fx.search(on(INDEX).text(query).topK(100).build()));
  }

  @Test
  void moreOccurrencesOfARareTermRankHigher() {
    doc("a", "x", "zebra one two three");
    doc("b", "x", "zebra zebra two three");
    doc("c", "x", "zebra zebra zebra three");
    for (int i = 0; i < 20; i++) {
      doc("filler" + i, "x", "one two three four");
    }
    SearchResult result = fx.search(on(INDEX).text("zebra").topK(100).build());
    assertThat(keys(result)).containsExactly("doc/c", "doc/b", "doc/a");
    assertThat(result.totalHits()).isEqualTo(3);
    assertThat(result.hits().get(0).score()).isGreaterThan(result.hits().get(1).score());
    assertThat(result.hits().get(1).score()).isGreaterThan(result.hits().get(2).score());
  }

  @Test
  void termsAreAndedByDefaultAndOrWidens() {
    doc("a", "red apple", "");
    doc("b", "green apple", "");
    doc("c", "red car", "");
    doc("d", "blue boat", "");
    assertThat(find("red apple")).containsExactly("doc/a");
    assertThat(find("red AND apple")).containsExactly("doc/a");
    assertThat(find("red OR apple")).containsExactlyInAnyOrder("doc/a", "doc/b", "doc/c");
    assertThat(find("(red OR green) apple")).containsExactlyInAnyOrder("doc/a", "doc/b");
  }

  @Test
  void notAndMinusExclude() {
    doc("a", "red apple", "");
    doc("b", "green apple", "");
    doc("c", "yellow apple", "red");
    assertThat(find("apple NOT red")).containsExactlyInAnyOrder("doc/b");
    assertThat(find("apple -green")).containsExactlyInAnyOrder("doc/a", "doc/c");
    assertThat(find("apple -green -yellow")).containsExactly("doc/a");
  }

  @Test
  void phraseNeedsAdjacentWords() {
    doc("a", "x", "the quick fox jumps");
    doc("b", "x", "quick the brown fox");
    doc("c", "x", "fox quick");
    assertThat(find("\"quick fox\"")).containsExactly("doc/a");
    assertThat(find("quick fox")).containsExactlyInAnyOrder("doc/a", "doc/b", "doc/c");
  }

  @Test
  void prefixTermMatchesEveryCompletion() {
    doc("a", "x", "quick");
    doc("b", "x", "quicker still");
    doc("c", "x", "QUICKLY now");
    doc("d", "x", "quack");
    doc("e", "x", "qui");
    assertThat(find("quic*")).containsExactlyInAnyOrder("doc/a", "doc/b", "doc/c");
  }

  @Test
  void fieldScopedTermsSearchOneJsonField() {
    doc("a", "fox", "dog");
    doc("b", "dog", "fox");
    doc("c", "cat", "cat");
    assertThat(find("title:fox")).containsExactly("doc/a");
    assertThat(find("body:fox")).containsExactly("doc/b");
    assertThat(find("fox")).containsExactlyInAnyOrder("doc/a", "doc/b");
    assertThat(find("title:dog AND body:fox")).containsExactly("doc/b");
  }

  @Test
  void englishAnalyzerStemsAndStandardDoesNot() {
    fx.createIndex(IndexSpec.newBuilder().setName("english").setKeyPrefix(ByteString.copyFromUtf8("doc/"))
        .addTextFields("body").setAnalyzer(Analyzer.ENGLISH).build());
    fx.awaitReady("english");
    doc("a", "x", "she runs every day");
    doc("b", "x", "running is fun");
    doc("c", "x", "ran once");
    assertThat(keys(fx.search(on("english").text("running").topK(100).build())))
        .containsExactlyInAnyOrder("doc/a", "doc/b");
    assertThat(keys(fx.search(on("english").text("runs").topK(100).build())))
        .containsExactlyInAnyOrder("doc/a", "doc/b");
    assertThat(find("running")).containsExactly("doc/b");
    assertThat(find("runs")).containsExactly("doc/a");
  }

  @Test
  void anOverwrittenValueLeavesResultsAtOnce() {
    doc("a", "alpha", "one");
    long first = fx.lastIndex();
    assertThat(keys(fx.searchAt(on(INDEX).text("alpha").build(), first))).containsExactly("doc/a");
    doc("a", "beta", "one");
    long overwrite = fx.lastIndex();
    assertThat(keys(fx.searchAt(on(INDEX).text("alpha").build(), overwrite))).isEmpty();
    assertThat(keys(fx.searchAt(on(INDEX).text("beta").build(), overwrite))).containsExactly("doc/a");
    assertThat(fx.searchAt(on(INDEX).text("alpha").build(), overwrite).totalHits()).isZero();
  }

  @Test
  void aDeletedKeyNeverAppearsAfterItsDelete() {
    doc("a", "alpha", "one");
    doc("b", "alpha", "two");
    assertThat(find("alpha")).containsExactlyInAnyOrder("doc/a", "doc/b");
    long deleted = fx.delete("doc/a");
    SearchResult result = fx.searchAt(on(INDEX).text("alpha").build(), deleted);
    assertThat(keys(result)).containsExactly("doc/b");
    assertThat(result.totalHits()).isEqualTo(1);
    // Filters-only (every key) does not list it either.
    assertThat(keys(fx.searchAt(on(INDEX).build(), deleted))).containsExactly("doc/b");
    // Nor after more writes.
    doc("c", "alpha", "three");
    assertThat(find("alpha")).containsExactlyInAnyOrder("doc/b", "doc/c");
  }

  @Test
  void keysOutsideThePrefixAreNeverIndexed() {
    doc("a", "needle", "x");
    fx.putJson("other/a", "{\"title\": \"needle\"}");
    fx.putJson("doc", "{\"title\": \"needle\"}");
    fx.putJson("do/c", "{\"title\": \"needle\"}");
    assertThat(find("needle")).containsExactly("doc/a");
    assertThat(keys(fx.search(on(INDEX).build()))).containsExactly("doc/a");
    assertThat(fx.stats(INDEX).orElseThrow().documents()).isEqualTo(1);
  }

  @Test
  void documentsCountKeysNotVersions() {
    for (int i = 0; i < 5; i++) {
      doc("a", "v" + i, "x");
      doc("b", "v" + i, "x");
    }
    doc("c", "v", "x");
    fx.delete("doc/c");
    // Before any search refreshed the index.
    assertThat(fx.stats(INDEX).orElseThrow().documents()).isEqualTo(2);
    assertThat(keys(fx.search(on(INDEX).build()))).containsExactly("doc/a", "doc/b");
    assertThat(fx.stats(INDEX).orElseThrow().documents()).isEqualTo(2);
  }

  @Test
  void snippetsMarkTheMatchedTerms() {
    doc("a", "A story", "The quick brown fox jumps over the lazy dog");
    doc("b", "Fox tales", "nothing here");
    SearchResult result = fx.search(on(INDEX).text("fox").topK(10).build());
    assertThat(keys(result)).containsExactlyInAnyOrder("doc/a", "doc/b");
    for (SearchResult.Hit hit : result.hits()) {
      if (hit.key().toStringUtf8().equals("doc/a")) {
        assertThat(hit.snippet()).isEqualTo("The quick brown <b>fox</b> jumps over the lazy dog");
      } else {
        assertThat(hit.snippet()).isEqualTo("<b>Fox</b> tales");
      }
    }
    SearchResult phrase = fx.search(on(INDEX).text("\"lazy dog\"").build());
    assertThat(phrase.hits()).hasSize(1);
    assertThat(phrase.hits().get(0).snippet()).isEqualTo("The quick brown fox jumps over the <b>lazy dog</b>");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 4, 10})
  void pagesHoldEveryHitOnceInScoreOrder(int topK) {
    // Ten matching documents with distinct and with equal scores (b0..b3 are identical), plus others.
    String[] bodies = {"page", "page page", "page page page", "page x", "page x y", "page x y z",
        "page page x", "page page x y"};
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < bodies.length; i++) {
      doc("a" + i, "t", bodies[i]);
    }
    doc("b0", "t", "page page z");
    doc("b1", "t", "page page z");
    doc("nope", "t", "other words");
    SearchResult single = fx.search(on(INDEX).text("page").topK(100).build());
    assertThat(single.hits()).hasSize(10);
    assertThat(single.totalHits()).isEqualTo(10);
    // The single page is best first, equal scores in key order.
    List<SearchResult.Hit> sorted = new ArrayList<>(single.hits());
    sorted.sort(Comparator.comparing(SearchResult.Hit::score).reversed()
        .thenComparing(SearchResult.Hit::key, ByteString.unsignedLexicographicalComparator()));
    assertThat(single.hits()).isEqualTo(sorted);
    expected.addAll(keys(single));

    List<String> paged = new ArrayList<>();
    SearchQuery query = on(INDEX).text("page").topK(topK).build();
    int pages = 0;
    while (true) {
      SearchResult page = fx.search(query);
      pages++;
      assertThat(page.totalHits()).isEqualTo(10);
      paged.addAll(keys(page));
      if (page.nextCursor().isEmpty()) {
        break;
      }
      assertThat(page.hits()).hasSize(topK);
      query = SearchFixture.with(query, page.nextCursor().get());
      assertThat(pages).isLessThan(20);
    }
    assertThat(paged).isEqualTo(expected);
    assertThat(pages).isEqualTo((10 + topK - 1) / topK);
  }

  @Test
  void unknownFieldIsInvalid() {
    doc("a", "fox", "dog");
    assertThatThrownBy(() -> fx.search(on(INDEX).text("nosuch:fox").build()))
        .isInstanceOf(InvalidSearchException.class).hasMessageContaining("nosuch");
    assertThatThrownBy(() -> fx.search(on(INDEX).text("fox OR _key:doc/a").build()))
        .isInstanceOf(InvalidSearchException.class);
    assertThatThrownBy(() -> fx.search(on(INDEX).text("_kw.title:fox").build()))
        .isInstanceOf(InvalidSearchException.class);
    assertThatThrownBy(() -> fx.search(on(INDEX).text("text:fox").build()))
        .as("the text field exists only for text=true indexes")
        .isInstanceOf(InvalidSearchException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"AND (", "\"unclosed", "fox)", "title:", "*fox"})
  void malformedQueryIsInvalid(String query) {
    doc("a", "fox", "dog");
    assertThatThrownBy(() -> fx.search(on(INDEX).text(query).build())).isInstanceOf(InvalidSearchException.class);
  }

  @Test
  void aQueryWithTooManyClausesIsInvalid() {
    doc("a", "fox", "dog");
    // Within the 4096-byte limit, but 700 terms over 2 fields are 1400 clauses (Lucene allows 1024).
    StringBuilder query = new StringBuilder();
    for (int i = 0; i < 700; i++) {
      query.append(i == 0 ? "" : " ").append(Integer.toString(i, 36));
    }
    assertThat(query.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(4096);
    assertThatThrownBy(() -> fx.search(on(INDEX).text(query.toString()).build()))
        .isInstanceOf(InvalidSearchException.class);
  }

  @Test
  void unknownIndexIsNotFound() {
    assertThatThrownBy(() -> fx.search(on("nosuch").text("fox").build())).isInstanceOf(IndexNotFoundException.class);
    assertThatThrownBy(() -> fx.search(on("nosuch").build())).isInstanceOf(IndexNotFoundException.class);
  }

  @Test
  void textValuesAreSearchedInTheTextField() {
    fx.createIndex(IndexSpec.newBuilder().setName("plain").setText(true).build());
    fx.awaitReady("plain");
    fx.putText("t/1", "hello world");
    fx.putText("t/2", "goodbye world");
    fx.putJson("t/3", "{\"title\": \"hello\"}");
    assertThat(keys(fx.search(on("plain").text("hello").build()))).containsExactly("t/1");
    assertThat(keys(fx.search(on("plain").text("text:world -goodbye").build()))).containsExactly("t/1");
  }
}
