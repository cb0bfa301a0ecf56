package io.quorumkv.cli;

import java.io.InputStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code quorumkv}: the command-line client of a QuorumKV cluster. */
@Command(
    name = "quorumkv",
    mixinStandardHelpOptions = true,
    // Every subcommand gets -h/--help and -V/--version too.
    scope = CommandLine.ScopeType.INHERIT,
    version = "quorumkv 0.1.0",
    description = "Reads and writes a QuorumKV cluster. Keys and values are UTF-8 text.",
    subcommands = {
      PutCommand.class,
      GetCommand.class,
      DeleteCommand.class,
      ExistsCommand.class,
      IncrCommand.class,
      BatchCommand.class,
      ScanCommand.class,
      IndexCommand.class,
      SearchCommand.class,
      SemanticCommand.class,
      VectorCommand.class,
      HybridCommand.class,
      StatusCommand.class,
      HealthCommand.class,
      SnapshotCommand.class,
      BackupCommand.class,
      TransferLeaderCommand.class,
      MemberCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class QuorumKvCli implements Runnable {
  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  /** Where {@code batch --file -} reads from. */
  final InputStream stdin;

  private QuorumKvCli(InputStream stdin) {
    this.stdin = stdin;
  }

  public static void main(String[] args) {
    // The library ships no logging config (embedding applications bring their own); the CLI keeps stdout
    // for results and logs only problems, to stderr. Must be set before the first logger is created.
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "io/quorumkv/cli/logback-cli.xml");
    }
    System.exit(commandLine(System.in).execute(args));
  }

  /**
   * The configured command line, for tests and embedding: set its out/err writers, then {@code
   * execute(args)} returns the exit code.
   *
   * @param stdin what {@code batch --file -} reads
   */
  public static CommandLine commandLine(InputStream stdin) {
    QuorumKvCli root = new QuorumKvCli(stdin);
    CommandLine commandLine = new CommandLine(root);
    commandLine.setExecutionExceptionHandler(new ErrorReporter(root.global));
    // A VECTOR such as -0.1,0.2 looks like an option to picocli; a real typo still fails (as a surplus
    // argument or a malformed vector).
    commandLine.getSubcommands().get("vector").setUnmatchedOptionsArePositionalParams(true);
    applyExitCodeHelp(commandLine);
    return commandLine;
  }

  private static void applyExitCodeHelp(CommandLine commandLine) {
    commandLine.getCommandSpec().usageMessage()
        .exitCodeListHeading("%nExit codes:%n")
        .exitCodeList(ExitCodes.descriptions());
    commandLine.getSubcommands().values().forEach(QuorumKvCli::applyExitCodeHelp);
  }

  /** Without a command: print the usage and fail, as for any usage error. */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
  }
}
