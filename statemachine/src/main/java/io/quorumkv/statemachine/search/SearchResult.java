package io.quorumkv.statemachine.search;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.SearchCursor;
import java.util.List;
import java.util.Optional;

/**
 * One page of hits, best first.
 *
 * @param nextCursor where the next page starts; empty if there is none
 * @param totalHits how many keys match in all (full text and filters only; else -1)
 * @param position the log index the searched index reflects
 */
public record SearchResult(List<Hit> hits, Optional<SearchCursor> nextCursor, long totalHits, long position) {

  /** A matching key with its score and, for full text, a highlighted snippet ("" if none). */
  public record Hit(ByteString key, float score, String snippet) {}

  public SearchResult {
    hits = List.copyOf(hits);
  }
}
