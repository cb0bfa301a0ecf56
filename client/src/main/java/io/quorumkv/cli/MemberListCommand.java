package io.quorumkv.cli;

import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.proto.v1.ListMembersResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "list",
    description = {
      "Lists the members of the cluster's Raft configuration (voters, then learners) as the answering",
      "member knows it, with their addresses. `quorumkv status` shows their state."
    })
final class MemberListCommand extends ClientCommand {
  @Option(names = "--json", description = "Print a JSON array instead of a table.")
  boolean json;

  @Override
  int run(QuorumKvClient client) {
    ListMembersResponse members = client.membership().list();
    if (json) {
      MemberTable.printJson(members.getMembersList(), out());
      return ExitCodes.OK;
    }
    MemberTable.print(members.getMembersList(), out());
    out().printf("configuration entry %d, answered by %s%s%n", members.getConfigurationIndex(),
        members.getHeader().getMemberId(), members.getChanging() ? "; a change is being committed" : "");
    return ExitCodes.OK;
  }
}
