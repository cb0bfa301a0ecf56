package io.quorumkv.cli;

import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.client.Values;
import io.quorumkv.client.WriteResult;
import io.quorumkv.proto.v1.Value;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "put",
    description = {
      "Sets KEY to VALUE, creating or replacing it.",
      "Prints 'created' or 'updated' and the log index of the write."
    })
final class PutCommand extends ClientCommand {
  @Parameters(index = "0", paramLabel = "KEY")
  String key;

  @Parameters(index = "1", paramLabel = "VALUE", arity = "0..1", description = "The value (text by default).")
  String value;

  @Option(names = "--json", description = "VALUE (or the file) is a JSON document.")
  boolean json;

  @Option(names = "--base64", description = "VALUE is bytes, base64-encoded.")
  boolean base64;

  @Option(names = "--file", paramLabel = "PATH", description = "Read the value from a file: bytes, or JSON text with --json.")
  Path file;

  @Override
  void prepare() {
    if ((value == null) == (file == null)) {
      throw usageError("give either VALUE or --file");
    }
    if (json && base64) {
      throw usageError("--json and --base64 cannot be combined");
    }
    if (base64 && file != null) {
      throw usageError("--base64 applies to VALUE; a --file is read as bytes already");
    }
  }

  @Override
  int run(QuorumKvClient client) {
    WriteResult result = client.put(key, parseValue());
    out().printf("%s (index %d)%n", result.created() ? "created" : "updated", result.index());
    return ExitCodes.OK;
  }

  private Value parseValue() {
    if (file != null) {
      byte[] bytes = readFile();
      return json ? Values.json(new String(bytes, StandardCharsets.UTF_8)) : Values.bytes(bytes);
    }
    if (json) {
      return Values.json(value);
    }
    if (base64) {
      try {
        return Values.bytes(Base64.getDecoder().decode(value));
      } catch (IllegalArgumentException e) {
        throw usageError("VALUE is not valid base64: " + e.getMessage());
      }
    }
    return Values.text(value);
  }

  private byte[] readFile() {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
