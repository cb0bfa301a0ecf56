package io.quorumkv.cli;

import io.quorumkv.client.QuorumKvClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "transfer-leader",
    description = {
      "Makes the leader hand over leadership, to --to if given, else to the follower that answered it",
      "most recently, once that member's log is up to date; prints the new leader's id."
    })
final class TransferLeaderCommand extends ClientCommand {
  @Option(names = "--to", paramLabel = "MEMBER_ID", description = "Id of the member that should lead.")
  String to;

  @Override
  int run(QuorumKvClient client) {
    out().println("leader is now " + client.transferLeadership(to));
    return ExitCodes.OK;
  }
}
