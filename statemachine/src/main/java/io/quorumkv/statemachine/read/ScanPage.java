package io.quorumkv.statemachine.read;

import io.quorumkv.proto.v1.KeyValue;
import java.util.List;

/**
 * One page of a scan.
 *
 * @param entries the keys found, in unsigned-lexicographic order
 * @param hasMore whether at least one more key exists in the range after the last entry
 */
public record ScanPage(List<KeyValue> entries, boolean hasMore) {

  public ScanPage {
    entries = List.copyOf(entries);
  }
}
