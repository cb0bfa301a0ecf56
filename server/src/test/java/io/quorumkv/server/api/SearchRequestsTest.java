package io.quorumkv.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.SearchCursor;
import io.quorumkv.proto.v1.Analyzer;
import io.quorumkv.proto.v1.ErrorCode;
import io.quorumkv.proto.v1.Filter;
import io.quorumkv.proto.v1.IndexSpec;
import io.quorumkv.proto.v1.NumericRange;
import io.quorumkv.proto.v1.SearchRequest;
import io.quorumkv.proto.v1.SemanticField;
import io.quorumkv.proto.v1.VectorField;
import io.quorumkv.proto.v1.VectorMetric;
import io.quorumkv.server.errors.KvError;
import io.quorumkv.statemachine.search.SearchQuery;
import org.junit.jupiter.api.Test;

class SearchRequestsTest {
  private static final int MAX_KEY = 4096;

  private static void invalid(Runnable check, String message) {
    assertThatThrownBy(check::run).isInstanceOfSatisfying(KvError.class, e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
      assertThat(e.getMessage()).contains(message);
    });
  }

  private static IndexSpec.Builder spec() {
    return IndexSpec.newBuilder().setName("books").setKeyPrefix(ByteString.copyFromUtf8("book/")).setText(true);
  }

  @Test
  void specsAreNormalizedSoEqualIntentsCompareEqual() {
    IndexSpec implicit = SearchRequests.spec(spec().setVector(VectorField.newBuilder().setField("v").setDimension(3))
        .build(), MAX_KEY);
    IndexSpec explicit = SearchRequests.spec(spec().setAnalyzer(Analyzer.STANDARD).setVector(VectorField.newBuilder()
        .setField("v").setDimension(3).setMetric(VectorMetric.COSINE)).build(), MAX_KEY);
    assertThat(implicit).isEqualTo(explicit);
    assertThat(SearchRequests.spec(spec().setAnalyzer(Analyzer.ENGLISH).build(), MAX_KEY).getAnalyzer())
        .isEqualTo(Analyzer.ENGLISH);
  }

  @Test
  void badSpecsAreRefusedWithTheirReason() {
    invalid(() -> SearchRequests.spec(spec().setName("Books").build(), MAX_KEY), "spec.name");
    invalid(() -> SearchRequests.spec(spec().setName("x".repeat(65)).build(), MAX_KEY), "spec.name");
    invalid(() -> SearchRequests.spec(spec().setName("-a").build(), MAX_KEY), "spec.name");
    invalid(() -> SearchRequests.spec(IndexSpec.newBuilder().setName("empty").build(), MAX_KEY), "indexes nothing");
    invalid(() -> SearchRequests.spec(spec().addTextFields("a").addTextFields("a").build(), MAX_KEY), "twice");
    invalid(() -> SearchRequests.spec(spec().addKeywordFields("a..b").build(), MAX_KEY), "spec.keyword_fields");
    invalid(() -> SearchRequests.spec(spec().addNumericFields("_n").build(), MAX_KEY), "starting with '_'");
    invalid(() -> SearchRequests.spec(spec().setKeyPrefix(ByteString.copyFrom(new byte[MAX_KEY + 1])).build(),
        MAX_KEY), "key_prefix");
    invalid(() -> SearchRequests.spec(spec().setVector(VectorField.newBuilder().setField("v").setDimension(0))
        .build(), MAX_KEY), "dimension");
    invalid(() -> SearchRequests.spec(spec().setVector(VectorField.newBuilder().setField("v").setDimension(1025))
        .build(), MAX_KEY), "dimension");
    invalid(() -> SearchRequests.spec(spec().setSemantic(SemanticField.newBuilder().setField(".x")).build(),
        MAX_KEY), "spec.semantic.field");
    IndexSpec.Builder many = spec();
    for (int i = 0; i <= SearchRequests.MAX_FIELDS_PER_KIND; i++) {
      many.addTextFields("f" + i);
    }
    invalid(() -> SearchRequests.spec(many.build(), MAX_KEY), "the limit is " + SearchRequests.MAX_FIELDS_PER_KIND);
  }

  private static SearchRequest.Builder search() {
    return SearchRequest.newBuilder().setIndex("books");
  }

  @Test
  void queriesGetTheirDefaultsAndVectors() {
    SearchQuery query = SearchRequests.query(search().setQuery("raft").build());
    assertThat(query.topK()).isEqualTo(SearchRequests.DEFAULT_TOP_K);
    assertThat(query.rrfK()).isEqualTo(SearchRequests.DEFAULT_RRF_K);
    assertThat(query.vector()).isNull();
    SearchQuery vector = SearchRequests.query(search().addVector(0.5f).addVector(-1f).setTopK(3).build());
    assertThat(vector.vector()).containsExactly(0.5f, -1f);
    assertThat(vector.semantic()).isFalse();
    assertThat(SearchRequests.withSemanticVector(query, new float[] {1f}).semantic()).isTrue();
    SearchQuery filtersOnly = SearchRequests.query(search().addFilters(Filter.newBuilder().setField("genre")
        .setEquals("papers")).build());
    assertThat(filtersOnly.filters()).hasSize(1);
  }

  @Test
  void badSearchesAreRefusedBeforeAnyIndexIsTouched() {
    invalid(() -> SearchRequests.query(search().build()), "empty search");
    invalid(() -> SearchRequests.query(search().setIndex("").setQuery("x").build()), "index");
    invalid(() -> SearchRequests.query(search().setQuery("   ").build()), "blank");
    invalid(() -> SearchRequests.query(search().setQuery("x".repeat(SearchRequests.MAX_QUERY_BYTES + 1)).build()),
        "longer than");
    invalid(() -> SearchRequests.query(search().setSemanticText("x").addVector(1).build()), "not both");
    invalid(() -> SearchRequests.query(search().addVector(Float.NaN).build()), "finite");
    invalid(() -> SearchRequests.query(search().setQuery("x").setTopK(SearchRequests.MAX_TOP_K + 1).build()), "top_k");
    invalid(() -> SearchRequests.query(search().setQuery("x").setTopK(-1).build()), "top_k is 4294967295");
    invalid(() -> SearchRequests.query(search().setQuery("x").setCursor(ByteString.copyFromUtf8("\u00ff\u00ff"))
        .build()), "cursor");
    SearchCursor deep = SearchCursor.newBuilder().setOffset(SearchRequests.MAX_DEPTH).build();
    invalid(() -> SearchRequests.query(search().setQuery("x").setCursor(deep.toByteString()).build()), "deep");
    invalid(() -> SearchRequests.query(search().addFilters(Filter.newBuilder().setField("year")
        .setRange(NumericRange.getDefaultInstance())).build()), "needs min, max or both");
    invalid(() -> SearchRequests.query(search().addFilters(Filter.newBuilder().setField("year")).build()),
        "needs equals or range");
    invalid(() -> SearchRequests.query(search().setQuery("x").setRrfK(SearchRequests.MAX_RRF_K + 1).build()), "rrf_k");
    SearchRequest.Builder filters = search();
    for (int i = 0; i <= SearchRequests.MAX_FILTERS; i++) {
      filters.addFilters(Filter.newBuilder().setField("f").setEquals("v"));
    }
    invalid(() -> SearchRequests.query(filters.build()), "filters");
  }
}
