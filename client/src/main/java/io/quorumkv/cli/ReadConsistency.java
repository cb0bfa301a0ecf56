package io.quorumkv.cli;

import io.quorumkv.client.ReadOptions;
import picocli.CommandLine.Option;

/** The consistency options of reading commands. */
final class ReadConsistency {
  @Option(
      names = "--stale",
      description = "Read the answering member's local state; may miss recent writes.")
  boolean stale;

  @Option(
      names = "--min-index",
      paramLabel = "N",
      description = "Stale read that first waits until the member has applied log index N.")
  long minIndex;

  ReadOptions readOptions() {
    return stale || minIndex > 0 ? ReadOptions.stale(minIndex) : ReadOptions.linearizable();
  }
}
