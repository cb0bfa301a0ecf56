package io.quorumkv.cli;

import io.quorumkv.client.QuorumKvClient;
import java.util.List;
import picocli.CommandLine.Option;

/** The members a per-member command addresses: every one in --endpoints, or the one --member-endpoint names. */
final class MemberTargets {
  @Option(names = "--member-endpoint", paramLabel = "HOST:PORT", description = "Only this member.")
  String only;

  List<String> of(QuorumKvClient client) {
    return only != null ? List.of(only) : client.endpoints();
  }
}
