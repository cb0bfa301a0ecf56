package io.quorumkv.cli;

import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.client.QuorumKvException;
import io.quorumkv.proto.v1.Member;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "health",
    description = {
      "Asks members whether they serve clients (in contact with a working quorum, caught up with",
      "the log, search indexes ready and caught up) and prints one line each, with the reasons of",
      "those that do not. Default: every member in --endpoints.",
      "Exit code: 0 if every member asked serves, 1 if one does not, 4 if one cannot be reached."
    })
final class HealthCommand extends ClientCommand {
  @Mixin MemberTargets members;

  @Override
  int run(QuorumKvClient client) {
    List<String> targets = members.of(client);
    boolean unreachable = false;
    boolean notServing = false;
    for (String endpoint : targets) {
      try {
        Member m = client.admin().memberStatus(endpoint);
        if (m.getServing()) {
          out().printf("%s (%s): SERVING%n", m.getId(), endpoint);
        } else {
          notServing = true;
          out().printf("%s (%s): NOT_SERVING: %s%n", m.getId(), endpoint,
              String.join("; ", m.getNotServingReasonsList()));
        }
      } catch (QuorumKvException e) {
        unreachable = true;
        out().printf("%s: UNREACHABLE: %s%n", endpoint, e.getMessage());
      }
    }
    return unreachable ? ExitCodes.UNAVAILABLE : notServing ? ExitCodes.NOT_FOUND : ExitCodes.OK;
  }
}
