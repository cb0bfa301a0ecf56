package io.quorumkv.client;

import com.google.protobuf.ByteString;
import java.util.List;

/**
 * One page of a scan, read from one consistent view of the store.
 *
 * @param entries the entries, in key order
 * @param nextPageToken pass to the next page call; empty on the last page
 * @param appliedIndex applied index of the view this page was read from
 */
public record ScanPage(List<Entry> entries, ByteString nextPageToken, long appliedIndex) {
  public ScanPage {
    entries = List.copyOf(entries);
  }

  /** True if more entries may follow. */
  public boolean hasNextPage() {
    return !nextPageToken.isEmpty();
  }
}
