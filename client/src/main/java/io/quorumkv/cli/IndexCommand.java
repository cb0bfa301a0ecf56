package io.quorumkv.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "index",
    description = {"Creates, drops and lists search indexes: index create|drop|list."},
    subcommands = {IndexCreateCommand.class, IndexDropCommand.class, IndexListCommand.class})
final class IndexCommand implements Runnable {
  @Spec CommandSpec spec;

  /** Without a subcommand: print the usage and fail, as for any usage error. */
  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing index command: create, drop or list");
  }
}
