package io.quorumkv.cli;

import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.proto.v1.RemoveMemberResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "remove",
    description = {
      "Removes member ID (the leader too: it hands leadership to another voter first). Refused if the",
      "remaining voters would be fewer than membership.min-voters or could not form a quorum.",
      "The removed member stops serving; stop its process. To add it back, wipe its data directory,",
      "start it with --join and `member add` it."
    })
final class MemberRemoveCommand extends ClientCommand {
  @Parameters(paramLabel = "ID")
  String id;

  @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "60",
      description = "How long to wait for the change to commit (default: ${DEFAULT-VALUE}).")
  double waitSeconds;

  @Override
  int run(QuorumKvClient client) {
    RemoveMemberResponse response = client.membership().remove(id, MemberWait.of(waitSeconds));
    out().println("removed " + id);
    MemberTable.print(response.getMembersList(), out());
    return ExitCodes.OK;
  }
}
