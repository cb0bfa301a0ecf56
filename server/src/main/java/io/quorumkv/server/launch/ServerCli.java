package io.quorumkv.server.launch;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point for the node-side commands of {@code quorumkv}: {@code node}, {@code local-cluster}, {@code restore}. */
@Command(name = "quorumkv", mixinStandardHelpOptions = true,
    description = "QuorumKV node commands.",
    subcommands = {NodeCommand.class, LocalClusterCommand.class, RestoreCommand.class})
public final class ServerCli implements Runnable {

  public static void main(String[] args) {
    CommonPoolParallelism.ensureMinimum();
    System.exit(new CommandLine(new ServerCli()).execute(args));
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
