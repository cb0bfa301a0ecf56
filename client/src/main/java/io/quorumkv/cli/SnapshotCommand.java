package io.quorumkv.cli;

import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.client.QuorumKvException;
import io.quorumkv.client.SnapshotResult;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "snapshot",
    description = {
      "Asks members to take a snapshot now and purge their Raft log up to it; prints each member's",
      "snapshot index. Default: every member in --endpoints."
    })
final class SnapshotCommand extends ClientCommand {
  @Mixin MemberTargets members;

  @Override
  int run(QuorumKvClient client) {
    List<String> targets = members.of(client);
    int exit = ExitCodes.OK;
    for (String endpoint : targets) {
      try {
        SnapshotResult r = client.admin().snapshot(endpoint);
        out().printf("%s (%s): snapshot at index %d%n", r.member(), endpoint, r.snapshotIndex());
      } catch (QuorumKvException e) {
        err().printf("%s: %s%n", endpoint, e.getMessage());
        exit = ExitCodes.UNAVAILABLE;
      }
    }
    return exit;
  }
}
