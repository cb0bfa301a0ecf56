package io.quorumkv.client;

import com.google.protobuf.ByteString;
import java.util.Optional;

/**
 * One hit of a search.
 *
 * @param key the key
 * @param score higher is better: BM25 for full text, the metric's score for vector and semantic search,
 *     the fused reciprocal-rank score for hybrid search, 1 for filter-only searches
 * @param snippet full text and hybrid: a fragment of the matching text with the matched terms between
 *     {@code <b>} and {@code </b>}; empty otherwise
 * @param entry the key's value and bookkeeping, when the query asked for {@link
 *     SearchQuery.Builder#includeValues(boolean) values}; its {@link Entry#appliedIndex()} is the index
 *     the search reflects (the value was read at or after it)
 */
public record SearchHit(ByteString key, float score, String snippet, Optional<Entry> entry) {
  /** The key decoded as UTF-8 (malformed bytes become U+FFFD). */
  public String keyUtf8() {
    return key.toStringUtf8();
  }
}
