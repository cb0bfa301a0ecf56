package io.quorumkv.cli;

import io.quorumkv.client.QuorumKvClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "del",
    description = {"Removes KEY. Prints 'deleted', or 'not found' and exits with 1 if it was absent."})
final class DeleteCommand extends ClientCommand {
  @Parameters(paramLabel = "KEY")
  String key;

  @Override
  int run(QuorumKvClient client) {
    boolean deleted = client.delete(key);
    out().println(deleted ? "deleted" : "not found");
    return deleted ? ExitCodes.OK : ExitCodes.NOT_FOUND;
  }
}
