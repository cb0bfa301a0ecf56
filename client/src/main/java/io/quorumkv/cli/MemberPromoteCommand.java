package io.quorumkv.cli;

import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.proto.v1.PromoteMemberResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "promote",
    description = {"Makes learner ID a voter. Refused until it has caught up with the leader's log."})
final class MemberPromoteCommand extends ClientCommand {
  @Parameters(paramLabel = "ID")
  String id;

  @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "60",
      description = "How long to wait for the change to commit (default: ${DEFAULT-VALUE}).")
  double waitSeconds;

  @Override
  int run(QuorumKvClient client) {
    PromoteMemberResponse response = client.membership().promote(id, MemberWait.of(waitSeconds));
    out().println(response.getChanged() ? id + " is now a voter" : id + " already was a voter: nothing changed");
    MemberTable.print(response.getMembersList(), out());
    return ExitCodes.OK;
  }
}
