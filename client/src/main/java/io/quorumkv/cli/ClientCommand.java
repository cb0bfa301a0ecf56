package io.quorumkv.cli;

import io.quorumkv.client.QuorumKvClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** A command that talks to the cluster: opens a client from the global options, runs, closes it. */
abstract class ClientCommand implements Callable<Integer> {
  /** The top-level command, whatever the nesting ({@code quorumkv index create} has {@code index} between). */
  QuorumKvCli root;
  @Spec CommandSpec spec;

  @Override
  public final Integer call() {
    root = (QuorumKvCli) spec.root().userObject();
    prepare();
    try (QuorumKvClient client = root.global.newClient()) {
      return run(client);
    }
  }

  /**
   * Checks what picocli cannot (option combinations, operation syntax) and builds the request, before
   * any connection is made; throws {@link #usageError} if the command line is wrong.
   */
  void prepare() {}

  /** Runs the command and returns its exit code (see {@link ExitCodes}). */
  abstract int run(QuorumKvClient client);

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  ParameterException usageError(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
