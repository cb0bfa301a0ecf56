package io.quorumkv.cli;

import io.quorumkv.client.Entry;
import io.quorumkv.client.QuorumKvClient;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "get",
    description = {
      "Prints the value of KEY; bytes that are not UTF-8 print as base64:<base64>.",
      "Exits with 1 if the key is absent."
    })
final class GetCommand extends ClientCommand {
  @Parameters(paramLabel = "KEY")
  String key;

  @Mixin ReadConsistency consistency;

  @Option(
      names = "--show-meta",
      description = "Also print create_index, mod_index, version and applied_index on a second line.")
  boolean showMeta;

  @Override
  int run(QuorumKvClient client) {
    Optional<Entry> entry = client.get(key, consistency.readOptions());
    if (entry.isEmpty()) {
      err().println("quorumkv: key not found: " + key);
      return ExitCodes.NOT_FOUND;
    }
    Entry e = entry.get();
    out().println(e.renderedValue());
    if (showMeta) {
      out().printf(
          "create_index=%d mod_index=%d version=%d applied_index=%d%n",
          e.createIndex(), e.modIndex(), e.version(), e.appliedIndex());
    }
    return ExitCodes.OK;
  }
}
