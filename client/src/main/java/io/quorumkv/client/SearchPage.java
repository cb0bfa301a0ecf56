package io.quorumkv.client;

import com.google.protobuf.ByteString;
import java.util.List;
import java.util.OptionalLong;

/**
 * One page of search hits.
 *
 * @param hits best first; equal scores in key order (filter-only searches: key order)
 * @param nextCursor pass to {@link SearchQuery#withCursor(ByteString)} for the next page; empty on the
 *     last page
 * @param totalHits how many keys match in total: present for full-text and filter-only searches, empty
 *     for vector, semantic and hybrid searches (which have no total)
 * @param appliedIndex the Raft log index the searched index reflects (at least the read's index)
 */
public record SearchPage(List<SearchHit> hits, ByteString nextCursor, OptionalLong totalHits, long appliedIndex) {
  public SearchPage {
    hits = List.copyOf(hits);
  }

  /** True if more hits may follow. */
  public boolean hasNextPage() {
    return !nextCursor.isEmpty();
  }
}
