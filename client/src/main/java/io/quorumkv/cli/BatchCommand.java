package io.quorumkv.cli;

import io.quorumkv.client.Batch;
import io.quorumkv.client.BatchResult;
import io.quorumkv.client.QuorumKvClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "batch",
    description = {
      "Applies puts and deletes all-or-nothing, in order, and prints the number applied.",
      "Operations come from the arguments (put k1 v1 put k2 v2 del k3) or from --file,",
      "one per line: 'put KEY VALUE' (VALUE is the rest of the line) or 'del KEY'."
    })
final class BatchCommand extends ClientCommand {
  @Parameters(paramLabel = "OP", arity = "0..*", description = "put KEY VALUE | del KEY, repeated.")
  List<String> words = List.of();

  @Option(names = "--file", paramLabel = "FILE", description = "Read operations from FILE, or stdin for '-'.")
  String file;

  private Batch batch;

  @Override
  void prepare() {
    if (file != null && !words.isEmpty()) {
      throw usageError("give operations as arguments or with --file, not both");
    }
    try {
      batch = file == null ? BatchScript.fromWords(words) : BatchScript.fromLines(open());
    } catch (IllegalArgumentException e) {
      throw usageError(e.getMessage());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (batch.size() == 0) {
      throw usageError("no operations");
    }
  }

  private BufferedReader open() throws IOException {
    return file.equals("-")
        ? new BufferedReader(new InputStreamReader(root.stdin, StandardCharsets.UTF_8))
        : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
  }

  @Override
  int run(QuorumKvClient client) {
    BatchResult result = client.batch(batch);
    out().println(result.appliedOperations());
    return ExitCodes.OK;
  }
}
