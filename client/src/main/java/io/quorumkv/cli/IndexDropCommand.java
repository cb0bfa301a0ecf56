package io.quorumkv.cli;

import io.quorumkv.client.QuorumKvClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "drop",
    description = {
      "Removes search index NAME and its index data (not the keys).",
      "Prints 'dropped', or 'not found' and exits with 1 if there was none."
    })
final class IndexDropCommand extends ClientCommand {
  @Parameters(paramLabel = "NAME")
  String name;

  @Override
  int run(QuorumKvClient client) {
    boolean dropped = client.dropIndex(name);
    out().println(dropped ? "dropped" : "not found");
    return dropped ? ExitCodes.OK : ExitCodes.NOT_FOUND;
  }
}
