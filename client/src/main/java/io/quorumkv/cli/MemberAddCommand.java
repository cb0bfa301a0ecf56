package io.quorumkv.cli;

import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.proto.v1.AddMemberResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "add",
    description = {
      "Adds member ID, which must already run with an empty state: start it first with",
      "`quorumkv node --config FILE --node ID --join`. It joins as a learner, the leader brings it up to",
      "date (a copy of its state, then the log), and then it becomes a voter (unless --learner).",
      "Waits until the change is committed."
    })
final class MemberAddCommand extends ClientCommand {
  @Parameters(paramLabel = "ID", description = "The new member's id, as in its cluster file.")
  String id;

  @Option(names = "--raft-address", required = true, paramLabel = "HOST:PORT",
      description = "Address of its Raft peer service (its host and raft-port).")
  String raftAddress;

  @Option(names = "--client-address", required = true, paramLabel = "HOST:PORT",
      description = "Address of its client service (its host and client-port).")
  String clientAddress;

  @Option(names = "--learner", description = "Keep it a learner; promote it later with `member promote`.")
  boolean learner;

  @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "600",
      description = "How long to wait for the new member to catch up and the change to commit (default: ${DEFAULT-VALUE}).")
  double waitSeconds;

  @Override
  int run(QuorumKvClient client) {
    out().printf("adding %s as a %s; the leader brings it up to date first (`quorumkv status` shows its progress)%n",
        id, learner ? "learner" : "learner, then a voter once it has caught up");
    out().flush();
    AddMemberResponse response = client.membership().add(id, raftAddress, clientAddress, learner,
        MemberWait.of(waitSeconds));
    out().println(response.getChanged() ? "added " + id : id + " was already a member as asked: nothing changed");
    MemberTable.print(response.getMembersList(), out());
    return ExitCodes.OK;
  }
}
