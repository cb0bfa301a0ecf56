package io.quorumkv.statemachine.search;

import io.quorumkv.proto.internal.SearchCursor;
import io.quorumkv.proto.v1.Filter;
import java.util.List;
import java.util.Objects;

/**
 * One validated search of one index, in the state machine's terms (the server has checked limits and
 * embedded a semantic text into {@code vector}).
 *
 * @param text full-text query string; empty for none
 * @param vector query vector; null for none
 * @param semantic whether {@code vector} targets the semantic field (else the user vector field)
 * @param filters all must hold
 * @param topK hits per page, at least 1
 * @param cursor where the page starts (the default instance for the first page)
 * @param rrfK hybrid fusion constant, at least 1
 */
public record SearchQuery(String index, String text, float[] vector, boolean semantic, List<Filter> filters,
    int topK, SearchCursor cursor, int rrfK) {

  public SearchQuery {
    Objects.requireNonNull(index, "index");
    Objects.requireNonNull(text, "text");
    filters = List.copyOf(filters);
    Objects.requireNonNull(cursor, "cursor");
    if (topK < 1 || rrfK < 1) {
      throw new IllegalArgumentException("topK and rrfK must be at least 1");
    }
  }

  boolean hasText() {
    return !text.isEmpty();
  }

  boolean hasVector() {
    return vector != null;
  }
}
