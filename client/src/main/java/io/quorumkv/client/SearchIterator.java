package io.quorumkv.client;

import java.util.Collections;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * Iterates the hits of a search, fetching the next page (with the previous page's cursor and the query
 * otherwise unchanged) only when the current one is used up. Not thread-safe.
 */
final class SearchIterator implements Iterator<SearchHit> {
  private final Function<SearchQuery, SearchPage> fetch;
  private SearchQuery next;
  private Iterator<SearchHit> page = Collections.emptyIterator();

  /** @param fetch runs the query for one page; may throw QuorumKvException */
  SearchIterator(SearchQuery first, Function<SearchQuery, SearchPage> fetch) {
    this.next = first;
    this.fetch = fetch;
  }

  @Override
  public boolean hasNext() {
    // A page may be empty yet not the last one, hence a loop.
    while (!page.hasNext() && next != null) {
      SearchPage fetched = fetch.apply(next);
      next = fetched.hasNextPage() ? next.withCursor(fetched.nextCursor()) : null;
      page = fetched.hits().iterator();
    }
    return page.hasNext();
  }

  @Override
  public SearchHit next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return page.next();
  }
}
