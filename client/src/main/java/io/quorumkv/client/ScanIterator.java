package io.quorumkv.client;

import java.util.Collections;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Function;

/** Iterates the entries of a scan, fetching the next page only when the current one is used up. */
final class ScanIterator implements Iterator<Entry> {
  private final ScanCursor cursor;
  private final Function<ScanCursor, ScanPage> fetchNext;
  private Iterator<Entry> page = Collections.emptyIterator();

  /** @param fetchNext fetches the page the cursor points at; may throw QuorumKvException */
  ScanIterator(ScanCursor cursor, Function<ScanCursor, ScanPage> fetchNext) {
    this.cursor = cursor;
    this.fetchNext = fetchNext;
  }

  @Override
  public boolean hasNext() {
    // A page may be empty yet not the last one, hence a loop.
    while (!page.hasNext() && !cursor.finished()) {
      page = cursor.advance(fetchNext.apply(cursor)).iterator();
    }
    return page.hasNext();
  }

  @Override
  public Entry next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return page.next();
  }
}
