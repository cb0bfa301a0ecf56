package io.quorumkv.cli;

import io.quorumkv.client.QuorumKvClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
    name = "exists",
    description = {"Prints true or false; exits with 0 if KEY is present, 1 if it is absent."})
final class ExistsCommand extends ClientCommand {
  @Parameters(paramLabel = "KEY")
  String key;

  @Mixin ReadConsistency consistency;

  @Override
  int run(QuorumKvClient client) {
    boolean exists = client.exists(key, consistency.readOptions());
    out().println(exists);
    return exists ? ExitCodes.OK : ExitCodes.NOT_FOUND;
  }
}
