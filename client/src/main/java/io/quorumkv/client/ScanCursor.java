package io.quorumkv.client;

import com.google.protobuf.ByteString;
import java.util.List;

/**
 * Where an iterating scan stands: the next page token and how many entries it delivered, so that it asks
 * for no more than the total limit and stops at the last page. Shared by the synchronous iterator and the
 * asynchronous forEach so both follow the same rules. Not thread-safe.
 */
final class ScanCursor {
  /** The server's page size when a request asks for 0. */
  private static final int SERVER_DEFAULT_PAGE_SIZE = 1000;

  private final ScanOptions options;
  private ByteString pageToken = ByteString.EMPTY;
  private long delivered;
  private boolean finished;

  ScanCursor(ScanOptions options) {
    this.options = options;
  }

  /** True once the last page was read or the limit reached. */
  boolean finished() {
    return finished;
  }

  ByteString pageToken() {
    return pageToken;
  }

  /** Entries to ask for in the next page: the page size, trimmed to what the limit still allows. */
  int nextPageSize() {
    if (options.limit() == 0) {
      return options.pageSize();
    }
    int pageSize = options.pageSize() == 0 ? SERVER_DEFAULT_PAGE_SIZE : options.pageSize();
    return (int) Math.min(pageSize, options.limit() - delivered);
  }

  /** Records a fetched page and returns the entries of it to deliver, trimmed to the limit. */
  List<Entry> advance(ScanPage page) {
    List<Entry> entries = page.entries();
    if (options.limit() > 0 && delivered + entries.size() >= options.limit()) {
      entries = entries.subList(0, (int) (options.limit() - delivered));
      finished = true;
    }
    delivered += entries.size();
    pageToken = page.nextPageToken();
    finished |= !page.hasNextPage();
    return entries;
  }
}
