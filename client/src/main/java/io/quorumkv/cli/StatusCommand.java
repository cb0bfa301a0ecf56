package io.quorumkv.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.proto.v1.StatusResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "status",
    description = {
      "Prints every member's id, client address, role, term, commit and applied index;",
      "the leader is marked '*', unreachable members say why.",
      "--json prints the StatusResponse of cluster.proto in proto3 JSON with the proto field",
      "names (cluster_id, leader_id, members[].reachable, ...; 64-bit numbers are strings)."
    })
final class StatusCommand extends ClientCommand {
  @Option(names = "--json", description = "Print JSON for scripts.")
  boolean json;

  @Override
  int run(QuorumKvClient client) {
    StatusResponse status = client.clusterStatus();
    if (json) {
      out().println(toJson(status));
    } else {
      StatusTable.print(status, out());
    }
    return ExitCodes.OK;
  }

  private static String toJson(StatusResponse status) {
    try {
      return JsonFormat.printer().preservingProtoFieldNames().includingDefaultValueFields().print(status);
    } catch (InvalidProtocolBufferException e) {
      // Only Any fields with unknown types can fail to print, and StatusResponse has none.
      throw new IllegalStateException(e);
    }
  }
}
