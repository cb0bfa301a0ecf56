package io.quorumkv.client;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.v1.SearchRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A search of one index. Which of {@link Builder#query}, {@link Builder#vector}, {@link
 * Builder#semanticText} are set chooses the {@link Kind} of search; {@link Builder#filter filters}
 * restrict every kind. Immutable; build with {@link #builder(String)}.
 *
 * <pre>{@code
 * SearchQuery q = SearchQuery.builder("books")
 *     .query("raft consensus")                  // Lucene classic syntax, terms ANDed
 *     .filter(SearchFilter.equalTo("genre", "distributed-systems"))
 *     .filter(SearchFilter.atLeast("year", 2014))
 *     .topK(20)
 *     .build();
 * }</pre>
 *
 * <p>Pages: run the query, then {@link #withCursor(ByteString) withCursor}({@link
 * SearchPage#nextCursor()}) for the next page; the server requires the other fields to stay unchanged.
 * Or let {@code searchAll} do it. The server fails a query beyond its limits (query at most 4096 bytes,
 * top k at most 1000, hits skipped plus top k at most 10000, at most 32 filters by default) with {@link
 * InvalidRequestException}.
 */
public final class SearchQuery {
  /** The kinds of search, chosen by which fields are set. */
  public enum Kind {
    /** {@code query} only: full text, ranked by BM25. */
    FULL_TEXT,
    /** {@code vector} only: nearest neighbours in the index's vector field. */
    VECTOR,
    /** {@code semanticText} only: nearest neighbours of the text's embedding in the semantic field. */
    SEMANTIC,
    /** {@code query} and {@code vector} or {@code semanticText}: both rankings fused by reciprocal rank fusion. */
    HYBRID,
    /** Filters only: every covered key the filters accept, in key order, score 1. */
    FILTER_ONLY
  }

  private final String index;
  private final String query;
  private final float[] vector;
  private final String semanticText;
  private final List<SearchFilter> filters;
  private final int topK;
  private final ByteString cursor;
  private final boolean includeValues;
  private final int rrfK;
  private final ReadOptions read;
  private final Kind kind;

  private SearchQuery(Builder b, Kind kind) {
    this.index = b.index;
    this.query = b.query;
    this.vector = b.vector.clone();
    this.semanticText = b.semanticText;
    this.filters = List.copyOf(b.filters);
    this.topK = b.topK;
    this.cursor = b.cursor;
    this.includeValues = b.includeValues;
    this.rrfK = b.rrfK;
    this.read = b.read;
    this.kind = kind;
  }

  /** A builder of a search of the index named {@code index}. */
  public static Builder builder(String index) {
    return new Builder(index);
  }

  /** A builder holding this query's settings. */
  public Builder toBuilder() {
    Builder b = new Builder(index);
    b.query = query;
    b.vector = vector.clone();
    b.semanticText = semanticText;
    b.filters.addAll(filters);
    b.topK = topK;
    b.cursor = cursor;
    b.includeValues = includeValues;
    b.rrfK = rrfK;
    b.read = read;
    return b;
  }

  /** This query for the page at {@code cursor} (a {@link SearchPage#nextCursor()}; empty: the first page). */
  public SearchQuery withCursor(ByteString cursor) {
    return toBuilder().cursor(cursor).build();
  }

  public String index() {
    return index;
  }

  public Kind kind() {
    return kind;
  }

  /** The full-text query; empty if none. */
  public String query() {
    return query;
  }

  /** A copy of the query vector; empty if none. */
  public float[] vector() {
    return vector.clone();
  }

  /** The text to search semantically; empty if none. */
  public String semanticText() {
    return semanticText;
  }

  public List<SearchFilter> filters() {
    return filters;
  }

  /** Hits per page; 0 means the server default (10). */
  public int topK() {
    return topK;
  }

  /** Where this page starts; empty for the first page. */
  public ByteString cursor() {
    return cursor;
  }

  public boolean includeValues() {
    return includeValues;
  }

  /** The hybrid search's RRF constant; 0 means the server default (60). */
  public int rrfK() {
    return rrfK;
  }

  public ReadOptions read() {
    return read;
  }

  SearchRequest toRequest() {
    SearchRequest.Builder request =
        SearchRequest.newBuilder()
            .setIndex(index)
            .setQuery(query)
            .setSemanticText(semanticText)
            .setTopK(topK)
            .setCursor(cursor)
            .setIncludeValues(includeValues)
            .setRead(read.toProto())
            .setRrfK(rrfK);
    for (float v : vector) {
      request.addVector(v);
    }
    filters.forEach(f -> request.addFilters(f.toProto()));
    return request.build();
  }

  @Override
  public String toString() {
    return "SearchQuery{index="
        + index
        + ", kind="
        + kind
        + (query.isEmpty() ? "" : ", query=" + query)
        + (vector.length == 0 ? "" : ", vector=" + Arrays.toString(vector))
        + (semanticText.isEmpty() ? "" : ", semanticText=" + semanticText)
        + (filters.isEmpty() ? "" : ", filters=" + filters)
        + ", topK="
        + topK
        + (cursor.isEmpty() ? "" : ", cursor=" + cursor.size() + " bytes")
        + ", includeValues="
        + includeValues
        + (rrfK == 0 ? "" : ", rrfK=" + rrfK)
        + ", read="
        + read
        + "}";
  }

  /** Not thread-safe. */
  public static final class Builder {
    private final String index;
    private String query = "";
    private float[] vector = new float[0];
    private String semanticText = "";
    private final List<SearchFilter> filters = new ArrayList<>();
    private int topK;
    private ByteString cursor = ByteString.EMPTY;
    private boolean includeValues;
    private int rrfK;
    private ReadOptions read = ReadOptions.linearizable();

    private Builder(String index) {
      if (Objects.requireNonNull(index, "index").isEmpty()) {
        throw new IllegalArgumentException("index name must not be empty");
      }
      this.index = index;
    }

    /**
     * A full-text query in Lucene's classic syntax over the index's text fields: terms are ANDed by
     * default; OR, NOT (or -term), "a phrase", prefix*, field:term and parentheses. Empty: none. A query
     * that does not parse fails with {@link InvalidRequestException}.
     */
    public Builder query(String query) {
      this.query = Objects.requireNonNull(query, "query");
      return this;
    }

    /**
     * Find the nearest neighbours of this vector (of the index's vector dimension) in the index's vector
     * field. The array is copied; an empty one means none.
     *
     * @throws IllegalArgumentException if an element is not finite
     */
    public Builder vector(float... vector) {
      for (float v : Objects.requireNonNull(vector, "vector")) {
        if (!Float.isFinite(v)) {
          throw new IllegalArgumentException("vector elements must be finite numbers, got " + v);
        }
      }
      this.vector = vector.clone();
      return this;
    }

    /** Find keys whose semantic field is similar in meaning to this text. Empty: none. */
    public Builder semanticText(String semanticText) {
      this.semanticText = Objects.requireNonNull(semanticText, "semanticText");
      return this;
    }

    /** Adds a condition every hit must meet. */
    public Builder filter(SearchFilter filter) {
      filters.add(Objects.requireNonNull(filter, "filter"));
      return this;
    }

    /** Adds conditions every hit must meet. */
    public Builder filters(List<SearchFilter> filters) {
      filters.forEach(this::filter);
      return this;
    }

    /** Hits per page; 0 (the default) means the server's default, 10. */
    public Builder topK(int topK) {
      if (topK < 0) {
        throw new IllegalArgumentException("topK must be >= 0: " + topK);
      }
      this.topK = topK;
      return this;
    }

    /** Start at this page: the {@link SearchPage#nextCursor()} of the previous one (empty: the first). */
    public Builder cursor(ByteString cursor) {
      this.cursor = Objects.requireNonNull(cursor, "cursor");
      return this;
    }

    /** Also return each hit's value and bookkeeping ({@link SearchHit#entry()}). */
    public Builder includeValues(boolean includeValues) {
      this.includeValues = includeValues;
      return this;
    }

    /**
     * Hybrid only: the reciprocal rank fusion constant k; a hit ranked r (from 1) in a ranking adds 1 / (k
     * + r) to its score. 0 (the default) means the server's default, 60.
     */
    public Builder rrfK(int rrfK) {
      if (rrfK < 0) {
        throw new IllegalArgumentException("rrfK must be >= 0: " + rrfK);
      }
      this.rrfK = rrfK;
      return this;
    }

    /** The consistency of the search (default linearizable). */
    public Builder read(ReadOptions read) {
      this.read = Objects.requireNonNull(read, "read");
      return this;
    }

    /**
     * @throws IllegalArgumentException if both a vector and semantic text are set, or none of query,
     *     vector, semantic text and filters is
     */
    public SearchQuery build() {
      boolean text = !query.isEmpty();
      boolean nearest = vector.length > 0;
      boolean semantic = !semanticText.isEmpty();
      if (nearest && semantic) {
        throw new IllegalArgumentException("a search takes a vector or semantic text, not both");
      }
      Kind kind;
      if (text) {
        kind = nearest || semantic ? Kind.HYBRID : Kind.FULL_TEXT;
      } else if (nearest) {
        kind = Kind.VECTOR;
      } else if (semantic) {
        kind = Kind.SEMANTIC;
      } else if (!filters.isEmpty()) {
        kind = Kind.FILTER_ONLY;
      } else {
        throw new IllegalArgumentException(
            "a search needs a query, a vector, semantic text or at least one filter");
      }
      return new SearchQuery(this, kind);
    }
  }
}
