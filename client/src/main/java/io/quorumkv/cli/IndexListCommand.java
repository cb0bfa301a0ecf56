package io.quorumkv.cli;

import io.quorumkv.client.IndexStatus;
import io.quorumkv.client.QuorumKvClient;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "list",
    description = {
      "Lists the search indexes and their state on the member that answered.",
      "Prints name, key prefix, state (building, ready or failed), documents",
      "and indexed fields. Each member builds its own copy of an index, so",
      "another member may be further along."
    })
final class IndexListCommand extends ClientCommand {
  @Mixin ReadConsistency consistency;

  @Option(names = "--json", description = "Print JSON for scripts.")
  boolean json;

  @Override
  int run(QuorumKvClient client) {
    List<IndexStatus> indexes = client.listIndexes(consistency.readOptions());
    if (json) {
      out().println(IndexTable.toJson(indexes));
    } else {
      IndexTable.print(indexes, out());
    }
    return ExitCodes.OK;
  }
}
