package io.quorumkv.cli;

import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.client.ScanOptions;
import io.quorumkv.client.Values;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "scan",
    description = {
      "Lists keys in order, by prefix or by range [START, END), following pages.",
      "Prints 'key<TAB>value' lines, or keys only."
    })
final class ScanCommand extends ClientCommand {
  @Option(names = "--prefix", paramLabel = "P")
  String prefix;

  @Option(names = "--start", paramLabel = "S", description = "First key, inclusive.")
  String start;

  @Option(names = "--end", paramLabel = "E", description = "End key, exclusive; default: the last key.")
  String end;

  @Option(names = "--limit", paramLabel = "N", description = "Print at most N entries in total (default: all).")
  long limit;

  @Option(names = "--page-size", paramLabel = "N", description = "Entries per request (default: the server's, 1000).")
  int pageSize;

  @Option(names = "--keys-only", description = "Print keys without values.")
  boolean keysOnly;

  @Mixin ReadConsistency consistency;

  private ScanOptions options;

  @Override
  void prepare() {
    if (prefix != null && (start != null || end != null)) {
      throw usageError("--prefix cannot be combined with --start/--end");
    }
    if (limit < 0 || pageSize < 0) {
      throw usageError("--limit and --page-size must not be negative");
    }
    ScanOptions.Builder builder =
        ScanOptions.builder()
            .limit(limit)
            .pageSize(pageSize)
            .keysOnly(keysOnly)
            .read(consistency.readOptions());
    if (prefix != null) {
      builder.prefix(prefix);
    }
    if (start != null) {
      builder.start(start);
    }
    if (end != null) {
      builder.end(end);
    }
    options = builder.build();
  }

  @Override
  int run(QuorumKvClient client) {
    PrintWriter out = out();
    client
        .scanAll(options)
        .forEach(
            e -> {
              String key = Values.renderBytes(e.key());
              out.println(keysOnly ? key : key + "\t" + e.renderedValue());
            });
    return ExitCodes.OK;
  }
}
