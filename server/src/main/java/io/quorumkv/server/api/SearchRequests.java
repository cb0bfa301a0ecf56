package io.quorumkv.server.api;

import com.google.protobuf.InvalidProtocolBufferException;
import io.quorumkv.proto.internal.SearchCursor;
import io.quorumkv.proto.v1.Filter;
import io.quorumkv.proto.v1.IndexSpec;
import io.quorumkv.proto.v1.SearchRequest;
import io.quorumkv.server.errors.KvError;
import io.quorumkv.statemachine.search.SearchQuery;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The search API's limits (see search.proto) and the checks of its requests before anything is
 * replicated or searched. Every check throws a {@link KvError} with code INVALID_REQUEST naming the
 * problem.
 */
final class SearchRequests {
  static final int MAX_INDEXES = 32;
  static final int MAX_FIELDS_PER_KIND = 16;
  static final int MAX_FIELD_PATH_CHARS = 256;
  static final int MAX_VECTOR_DIMENSION = 1024;
  static final int MAX_QUERY_BYTES = 4096;
  static final int DEFAULT_TOP_K = 10;
  static final int MAX_TOP_K = 1000;
  static final int MAX_DEPTH = 10_000;
  static final int MAX_FILTERS = 32;
  static final int DEFAULT_RRF_K = 60;
  static final int MAX_RRF_K = 100_000;
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");
  private static final Pattern PATH_SEGMENT = Pattern.compile("[^.]+");

  private SearchRequests() {}

  static void indexName(String field, String name) {
    if (!NAME.matcher(name).matches()) {
      throw KvError.invalid(field + " \"" + name + "\" must be 1 to 64 characters of a-z, 0-9, '_', '.', '-',"
          + " starting with a letter or digit");
    }
  }

  /**
   * Checks an index spec ({@code maxKeyBytes} bounds its prefix) and returns it in its normal form:
   * unspecified analyzer and metric spelled out, so that equal intents compare equal.
   */
  static IndexSpec spec(IndexSpec spec, int maxKeyBytes) {
    check(spec, maxKeyBytes);
    IndexSpec.Builder normal = spec.toBuilder();
    if (spec.getAnalyzer() == io.quorumkv.proto.v1.Analyzer.ANALYZER_UNSPECIFIED) {
      normal.setAnalyzer(io.quorumkv.proto.v1.Analyzer.STANDARD);
    }
    if (spec.hasVector() && spec.getVector().getMetric() == io.quorumkv.proto.v1.VectorMetric.VECTOR_METRIC_UNSPECIFIED) {
      normal.getVectorBuilder().setMetric(io.quorumkv.proto.v1.VectorMetric.COSINE);
    }
    return normal.build();
  }

  private static void check(IndexSpec spec, int maxKeyBytes) {
    indexName("spec.name", spec.getName());
    if (spec.getKeyPrefix().size() > maxKeyBytes) {
      throw KvError.invalid("spec.key_prefix is " + spec.getKeyPrefix().size() + " bytes; the limit is " + maxKeyBytes);
    }
    if (spec.getAnalyzerValue() < 0 || spec.getAnalyzer() == io.quorumkv.proto.v1.Analyzer.UNRECOGNIZED) {
      throw KvError.invalid("spec.analyzer is not a known analyzer");
    }
    fields("spec.text_fields", spec.getTextFieldsList());
    fields("spec.keyword_fields", spec.getKeywordFieldsList());
    fields("spec.numeric_fields", spec.getNumericFieldsList());
    if (spec.hasVector()) {
      path("spec.vector.field", spec.getVector().getField());
      int dimension = spec.getVector().getDimension();
      if (dimension < 1 || dimension > MAX_VECTOR_DIMENSION) {
        throw KvError.invalid("spec.vector.dimension is " + Integer.toUnsignedString(dimension) + "; it must be 1 to "
            + MAX_VECTOR_DIMENSION);
      }
      if (spec.getVector().getMetric() == io.quorumkv.proto.v1.VectorMetric.UNRECOGNIZED) {
        throw KvError.invalid("spec.vector.metric is not a known metric");
      }
    }
    if (spec.hasSemantic() && !spec.getSemantic().getField().isEmpty()) {
      path("spec.semantic.field", spec.getSemantic().getField());
    }
    boolean indexesSomething = spec.getText() || spec.getTextFieldsCount() > 0 || spec.getKeywordFieldsCount() > 0
        || spec.getNumericFieldsCount() > 0 || spec.hasVector() || spec.hasSemantic();
    if (!indexesSomething) {
      throw KvError.invalid("spec indexes nothing: set text, text_fields, keyword_fields, numeric_fields, vector"
          + " or semantic");
    }
  }

  private static void fields(String field, List<String> paths) {
    if (paths.size() > MAX_FIELDS_PER_KIND) {
      throw KvError.invalid(field + " has " + paths.size() + " fields; the limit is " + MAX_FIELDS_PER_KIND);
    }
    Set<String> seen = new HashSet<>();
    for (String path : paths) {
      path(field, path);
      if (!seen.add(path)) {
        throw KvError.invalid(field + " names " + path + " twice");
      }
    }
  }

  private static void path(String field, String path) {
    if (path.isEmpty() || path.length() > MAX_FIELD_PATH_CHARS) {
      throw KvError.invalid(field + " must be a JSON path of 1 to " + MAX_FIELD_PATH_CHARS + " characters");
    }
    for (String segment : path.split("\\.", -1)) {
      if (!PATH_SEGMENT.matcher(segment).matches() || segment.startsWith("_")) {
        throw KvError.invalid(field + " \"" + path + "\" must be dot-separated member names, none empty or"
            + " starting with '_'");
      }
    }
  }

  /**
   * Checks a search request and turns it into the state machine's query; the semantic text (if any) is
   * embedded by the caller (see {@link #withSemanticVector}).
   */
  static SearchQuery query(SearchRequest request) {
    indexName("index", request.getIndex());
    String text = request.getQuery();
    if (text.getBytes(StandardCharsets.UTF_8).length > MAX_QUERY_BYTES) {
      throw KvError.invalid("query is longer than " + MAX_QUERY_BYTES + " bytes");
    }
    if (!text.isEmpty() && text.isBlank()) {
      throw KvError.invalid("query is blank");
    }
    String semantic = request.getSemanticText();
    if (semantic.getBytes(StandardCharsets.UTF_8).length > MAX_QUERY_BYTES) {
      throw KvError.invalid("semantic_text is longer than " + MAX_QUERY_BYTES + " bytes");
    }
    if (!semantic.isEmpty() && semantic.isBlank()) {
      throw KvError.invalid("semantic_text is blank");
    }
    boolean hasVector = request.getVectorCount() > 0;
    if (hasVector && !semantic.isEmpty()) {
      throw KvError.invalid("set vector or semantic_text, not both");
    }
    if (request.getVectorCount() > MAX_VECTOR_DIMENSION) {
      throw KvError.invalid("vector has " + request.getVectorCount() + " dimensions; the limit is "
          + MAX_VECTOR_DIMENSION);
    }
    if (text.isEmpty() && !hasVector && semantic.isEmpty() && request.getFiltersCount() == 0) {
      throw KvError.invalid("empty search: set query, vector, semantic_text or filters");
    }
    filters(request.getFiltersList());
    int topK = request.getTopK() == 0 ? DEFAULT_TOP_K : request.getTopK();
    if (topK < 0 || topK > MAX_TOP_K) {
      throw KvError.invalid("top_k is " + Integer.toUnsignedString(request.getTopK()) + "; the limit is " + MAX_TOP_K);
    }
    SearchCursor cursor = cursor(request);
    if ((long) cursor.getOffset() + topK > MAX_DEPTH) {
      throw KvError.invalid("the page would end at hit " + ((long) cursor.getOffset() + topK) + "; searches go at"
          + " most " + MAX_DEPTH + " hits deep");
    }
    int rrfK = request.getRrfK() == 0 ? DEFAULT_RRF_K : request.getRrfK();
    if (rrfK < 0 || rrfK > MAX_RRF_K) {
      throw KvError.invalid("rrf_k is " + Integer.toUnsignedString(request.getRrfK()) + "; the limit is " + MAX_RRF_K);
    }
    float[] vector = null;
    if (hasVector) {
      vector = new float[request.getVectorCount()];
      for (int i = 0; i < vector.length; i++) {
        vector[i] = request.getVector(i);
        if (!Float.isFinite(vector[i])) {
          throw KvError.invalid("vector[" + i + "] is not a finite number");
        }
      }
    }
    return new SearchQuery(request.getIndex(), text, vector, false, request.getFiltersList(), topK, cursor, rrfK);
  }

  /** {@code query} searching the semantic field for {@code vector} (the embedding of its semantic_text). */
  static SearchQuery withSemanticVector(SearchQuery query, float[] vector) {
    return new SearchQuery(query.index(), query.text(), vector, true, query.filters(), query.topK(), query.cursor(),
        query.rrfK());
  }

  private static void filters(List<Filter> filters) {
    if (filters.size() > MAX_FILTERS) {
      throw KvError.invalid("search has " + filters.size() + " filters; the limit is " + MAX_FILTERS);
    }
    for (int i = 0; i < filters.size(); i++) {
      Filter filter = filters.get(i);
      String where = "filters[" + i + "]";
      if (filter.getField().isEmpty()) {
        throw KvError.invalid(where + ".field must be set");
      }
      switch (filter.getConditionCase()) {
        case EQUALS -> { }
        case RANGE -> {
          var range = filter.getRange();
          if (!range.hasMin() && !range.hasMax()) {
            throw KvError.invalid(where + ".range needs min, max or both");
          }
          if ((range.hasMin() && Double.isNaN(range.getMin())) || (range.hasMax() && Double.isNaN(range.getMax()))) {
            throw KvError.invalid(where + ".range bounds must be numbers");
          }
        }
        case CONDITION_NOT_SET -> throw KvError.invalid(where + " needs equals or range");
      }
    }
  }

  private static SearchCursor cursor(SearchRequest request) {
    if (request.getCursor().isEmpty()) {
      return SearchCursor.getDefaultInstance();
    }
    try {
      return SearchCursor.parseFrom(request.getCursor());
    } catch (InvalidProtocolBufferException e) {
      throw KvError.invalid("cursor is not one this cluster returned");
    }
  }
}
