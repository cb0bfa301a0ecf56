package io.quorumkv.cli;

import java.io.InputStream;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
    description = "Reads and writes a QuorumKV cluster. Keys and values are UTF-8 text.")
public final class QuorumKvCli implements Runnable {
  /** The subcommands, in the order the usage lists them. */
  private static final List<Class<?>> SUBCOMMANDS = List.of(
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
      CommandLine.HelpCommand.class);

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
    setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    setIfAbsent("org.slf4j.simpleLogger.log.io.grpc.netty.shaded.io.netty", "error");
    setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
    setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
    System.exit(commandLine(System.in, args).execute(args));
  }

  private static void setIfAbsent(String property, String value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, value);
    }
  }

  /**
   * The configured command line, for tests and embedding: set its out/err writers, then {@code
   * execute(args)} returns the exit code.
   *
   * @param stdin what {@code batch --file -} reads
   */
  public static CommandLine commandLine(InputStream stdin) {
    return commandLine(stdin, SUBCOMMANDS);
  }

  /**
   * As {@link #commandLine(InputStream)}, with only the subcommands that {@code args} names: building
   * picocli's model of every command by reflection took a fifth of a short command's CPU. Parsing is
   * unchanged, as a command that is named is registered; without one (help, a typo) all are.
   */
  static CommandLine commandLine(InputStream stdin, String[] args) {
    Set<String> words = new HashSet<>(Arrays.asList(args));
    List<Class<?>> named = SUBCOMMANDS.stream().filter(c -> words.contains(nameOf(c))).toList();
    return commandLine(stdin, named.isEmpty() ? SUBCOMMANDS : named);
  }

  private static CommandLine commandLine(InputStream stdin, List<Class<?>> subcommands) {
    QuorumKvCli root = new QuorumKvCli(stdin);
    CommandLine commandLine = new CommandLine(root);
    subcommands.forEach(c -> commandLine.addSubcommand(nameOf(c), c));
    commandLine.setExecutionExceptionHandler(new ErrorReporter(root.global));
    // A VECTOR such as -0.1,0.2 looks like an option to picocli; a real typo still fails (as a surplus
    // argument or a malformed vector).
    CommandLine vector = commandLine.getSubcommands().get("vector");
    if (vector != null) {
      vector.setUnmatchedOptionsArePositionalParams(true);
    }
    applyExitCodeHelp(commandLine);
    return commandLine;
  }

  private static String nameOf(Class<?> command) {
    return command.getAnnotation(Command.class).name();
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
