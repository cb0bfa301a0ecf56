package io.quorumkv.cli;

import io.quorumkv.client.FakeNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import picocli.CommandLine;

/** Starts a fake member "n1" for each test and runs the CLI against it, capturing exit code and output. */
final class FakeNodeCli implements BeforeEachCallback, AfterEachCallback {
  record Result(int exitCode, String out, String err) {}

  private final List<String> command;
  private FakeNode node;
  private String endpoint;

  /** {@code command} is put after the global options of every run, e.g. "bench"; none by default. */
  FakeNodeCli(String... command) {
    this.command = List.of(command);
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    node = FakeNode.start("n1");
    // Kept so that a test may close the node and still point the CLI at it.
    endpoint = node.endpoint();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    node.close();
  }

  FakeNode node() {
    return node;
  }

  /** Runs {@code --endpoints <node> --timeout 2 <command> args} with empty stdin. */
  Result run(String... args) {
    return runWithTimeout("2", args);
  }

  Result runWithTimeout(String timeout, String... args) {
    return execute(emptyStdin(), withGlobalOptions(timeout, args));
  }

  Result runWithStdin(InputStream stdin, String... args) {
    return execute(stdin, withGlobalOptions("2", args));
  }

  /** Runs the CLI with exactly {@code args}, adding no options. */
  Result runExactly(String... args) {
    return execute(emptyStdin(), List.of(args));
  }

  private List<String> withGlobalOptions(String timeout, String... args) {
    List<String> all = new ArrayList<>(List.of("--endpoints", endpoint, "--timeout", timeout));
    all.addAll(command);
    all.addAll(List.of(args));
    return all;
  }

  private static InputStream emptyStdin() {
    return new ByteArrayInputStream(new byte[0]);
  }

  private static Result execute(InputStream stdin, List<String> args) {
    // As main() builds it: with only the subcommands the arguments name.
    CommandLine cli = QuorumKvCli.commandLine(stdin, args.toArray(String[]::new));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args.toArray(String[]::new));
    return new Result(code, out.toString(), err.toString());
  }
}
