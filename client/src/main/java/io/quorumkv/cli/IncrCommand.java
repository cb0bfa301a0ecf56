package io.quorumkv.cli;

import io.quorumkv.client.QuorumKvClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "incr",
    description = {
      "Adds DELTA (may be negative) to the integer stored at KEY, an absent key counting as 0,",
      "and prints the new value."
    })
final class IncrCommand extends ClientCommand {
  @Parameters(index = "0", paramLabel = "KEY")
  String key;

  @Parameters(index = "1", paramLabel = "DELTA", arity = "0..1", defaultValue = "1", description = "Default: 1.")
  long delta;

  @Override
  int run(QuorumKvClient client) {
    out().println(client.increment(key, delta));
    return ExitCodes.OK;
  }
}
