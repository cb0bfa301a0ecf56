package io.quorumkv.chaos;

import io.quorumkv.chaos.harness.PortsInUseException;
import io.quorumkv.chaos.nemesis.NemesisAction;
import io.quorumkv.chaos.report.ChaosReport;
import io.quorumkv.server.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code quorumkv chaos}: starts the members of a cluster file, runs concurrent clients against them
 * while killing, pausing and restarting members, checks the recorded history, and prints a report ending
 * with a {@code CHAOS …} line. Exit codes: 0 nothing lost or violated, 1 something was, 2 usage or
 * configuration error (including busy ports), 3 the run could not be completed.
 */
@Command(name = "chaos", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Starts the members of a cluster file on this machine, runs concurrent clients against them while "
            + "killing, pausing and restarting members, then checks every recorded operation: no acknowledged "
            + "write lost, every key linearizable, counters within bounds, replicas identical.",
        "The members must not be running already: the command starts (and at the end kills) them itself."},
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {" 0:nothing lost, no violation", " 1:lost writes or violations",
        " 2:usage or configuration error (e.g. ports in use)", " 3:the run could not be completed"})
public final class ChaosMain implements Callable<Integer> {
  static final int VIOLATIONS = 1;
  static final int USAGE = 2;
  static final int RUN_FAILED = 3;

  @Option(names = "--config", required = true, paramLabel = "FILE", description = "Cluster file (YAML).")
  Path config;

  @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "60",
      description = "How long clients run and faults are injected (default: ${DEFAULT-VALUE}).")
  int durationSeconds;

  @Option(names = "--seed", paramLabel = "N", description = "Seed of every random choice (default: random, printed).")
  Long seed;

  @Option(names = "--clients", paramLabel = "N", defaultValue = "10",
      description = "Concurrent clients (default: ${DEFAULT-VALUE}).")
  int clients;

  @Option(names = "--keys", paramLabel = "N", defaultValue = "8",
      description = "Shared register keys; half as many counter keys are added (default: ${DEFAULT-VALUE}).")
  int keys;

  @Option(names = "--nemesis", paramLabel = "LIST",
      defaultValue = "leader-kill,follower-kill,leader-kill,pause,leader-kill,combined",
      description = {"Faults, run in this order and cycled; repeat one to run it more often; 'none' for no "
          + "faults. Actions: leader-kill, follower-kill, pause, combined, cluster-restart (SIGKILL every "
          + "member at once, then restart them all) (default: ${DEFAULT-VALUE})."})
  String nemesis;

  @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "6",
      description = "Seconds between the starts of two faults, at least 3 (default: ${DEFAULT-VALUE}).")
  int intervalSeconds;

  @Option(names = "--resend",
      description = {"Exactly-once variant: clients send their counter increments through the raw gRPC stubs "
          + "with their own WriteIds and re-send them (unknown ones until answered, acknowledged ones a few "
          + "times); after the run every unknown one is re-sent until answered, and each counter must equal the "
          + "sum of its acknowledged increments."})
  boolean resend;

  @Option(names = "--report", paramLabel = "FILE", description = "Also write the report to this file.")
  Path report;

  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "Node logs and history.jsonl (default: chaos-runs/<seed> in the current directory).")
  Path workDir;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    // The server and client jars each carry a logback.xml; logback then prints its whole status on start,
    // which would bury the progress lines. Set before anything logs.
    System.setProperty("logback.statusListenerClass", "ch.qos.logback.core.status.NopStatusListener");
    System.exit(new CommandLine(new ChaosMain())
        .setExecutionExceptionHandler((e, cmd, parsed) -> {
          cmd.getErr().println("chaos: run failed: " + e);
          e.printStackTrace(cmd.getErr());
          return RUN_FAILED;
        })
        .execute(args));
  }

  @Override
  public Integer call() throws Exception {
    ChaosSettings settings;
    long runSeed = seed != null ? seed : new SecureRandom().nextLong();
    try {
      List<NemesisAction> actions = nemesis.equals("none") ? List.of() : NemesisAction.parseList(nemesis);
      settings = new ChaosSettings(Duration.ofSeconds(durationSeconds), runSeed, clients, keys, actions,
          Duration.ofSeconds(intervalSeconds), resend);
    } catch (IllegalArgumentException e) {
      return usage(e.getMessage());
    }
    if (!Files.isReadable(config)) {
      return usage("cannot read cluster file " + config);
    }
    var out = spec.commandLine().getOut();
    out.println("chaos: seed=" + runSeed + " (replay with --seed " + runSeed + ")");
    out.flush();
    Path dir = workDir != null ? workDir : Path.of("chaos-runs", Long.toUnsignedString(runSeed));
    ChaosReport result;
    try {
      result = new ChaosRun(settings, config, dir, System.out).execute();
    } catch (ConfigException | PortsInUseException e) {
      return usage(e.getMessage());
    } catch (IllegalStateException e) {
      spec.commandLine().getErr().println("chaos: run failed: " + e.getMessage());
      return RUN_FAILED;
    }
    String text = result.render();
    out.print(text);
    out.flush();
    if (report != null) {
      Files.writeString(report, text);
    }
    return result.passed() ? 0 : VIOLATIONS;
  }

  private int usage(String message) {
    spec.commandLine().getErr().println("chaos: " + message);
    return USAGE;
  }
}
