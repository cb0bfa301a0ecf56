package io.quorumkv.chaos;

import io.quorumkv.chaos.checker.CheckResult;
import io.quorumkv.chaos.checker.ConvergenceChecker;
import io.quorumkv.chaos.checker.CountersChecker;
import io.quorumkv.chaos.checker.ExactlyOnceChecker;
import io.quorumkv.chaos.checker.LinearizabilityChecker;
import io.quorumkv.chaos.checker.LostWritesChecker;
import io.quorumkv.chaos.harness.ProcessCluster;
import io.quorumkv.chaos.history.History;
import io.quorumkv.chaos.history.HistoryWriter;
import io.quorumkv.chaos.history.Recorder;
import io.quorumkv.chaos.nemesis.Nemesis;
import io.quorumkv.chaos.nemesis.NemesisEvent;
import io.quorumkv.chaos.report.ChaosReport;
import io.quorumkv.chaos.report.UnavailabilityWindows;
import io.quorumkv.chaos.workload.KeySpace;
import io.quorumkv.chaos.workload.Workload;
import io.quorumkv.server.config.NodeSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One chaos run against the members of a cluster file, which it starts, breaks and kills itself: start
 * the members, run the workload with the nemesis for the configured time, stop both, heal the cluster,
 * read the final state, check the history, and report. Node logs and the history
 * ({@code history.jsonl}) go to the work directory. Every member is killed when the run ends, also when
 * it fails.
 */
public final class ChaosRun {
  private static final long RECOVERY_MILLIS = 30_000;
  private static final long PROGRESS_EVERY_MILLIS = 5_000;
  private static final long FIRST_LEADER_MILLIS = 60_000;
  /** Time the resolution phase of resend mode may take to get every unknown increment answered. */
  private static final Duration RESOLUTION_TIME = Duration.ofSeconds(60);

  private final ChaosSettings settings;
  private final Path configFile;
  private final Path workDir;
  private final PrintStream out;

  /**
   * @param settings what to do
   * @param configFile the cluster file; its ports must be free (the run starts the members)
   * @param workDir where node logs and the history go; created if missing
   * @param out receives progress lines
   */
  public ChaosRun(ChaosSettings settings, Path configFile, Path workDir, PrintStream out) {
    this.settings = settings;
    this.configFile = configFile;
    this.workDir = workDir;
    this.out = out;
  }

  /**
   * @throws io.quorumkv.chaos.harness.PortsInUseException if a member's port is taken
   * @throws IllegalStateException if no leader is elected at the start, or the nemesis failed
   */
  public ChaosReport execute() throws IOException, InterruptedException {
    Files.createDirectories(workDir);
    try (ProcessCluster cluster = new ProcessCluster(configFile, workDir.resolve("logs"))) {
      cluster.startAll();
      String leader = cluster.awaitLeader(FIRST_LEADER_MILLIS).orElseThrow(() -> new IllegalStateException(
          "no leader within " + FIRST_LEADER_MILLIS / 1000 + " s; see the logs in " + workDir.resolve("logs")));
      progress("cluster up, leader " + leader + "; " + settings.describe());

      Recorder recorder = new Recorder(System::nanoTime);
      KeySpace keys = new KeySpace("chaos/" + Long.toUnsignedString(settings.seed(), 36) + "-"
          + System.currentTimeMillis() + "/", settings.registerKeys(), settings.counterKeys());
      Nemesis nemesis = new Nemesis(cluster, settings.nemesis(), settings.interval(), settings.seed(),
          recorder::now, this::progress);
      History history = runWorkload(cluster, recorder, keys, nemesis);
      Map<String, String> unique = FinalState.uniqueKeys(cluster, keys);
      Map<String, String> counters = FinalState.counters(cluster, keys);
      var digests = FinalState.digests(cluster, keys);
      progress("checking " + history.operations().size() + " operations");
      List<CheckResult> checks = new ArrayList<>(List.of(
          new LostWritesChecker(keys::isUnique).check(history, unique),
          new LinearizabilityChecker().check(history),
          new CountersChecker(keys::isCounter).check(history, counters),
          ConvergenceChecker.check(digests)));
      if (settings.resend()) {
        checks.add(new ExactlyOnceChecker(keys::isCounter).check(history, counters));
      }
      Map<String, String> endpoints = cluster.config().nodes().stream()
          .collect(Collectors.toMap(NodeSpec::id, NodeSpec::clientAddress));
      List<NemesisEvent> events = nemesis.events();
      return new ChaosReport(settings.seed(), settings.describe() + "; cluster file " + configFile
          + "; work dir " + workDir, history, events, UnavailabilityWindows.measure(history, events, endpoints),
          checks);
    }
  }

  /**
   * Runs the clients and the nemesis for the configured time, stops them, heals the cluster and, in resend
   * mode, re-sends every increment of unknown outcome until it is answered. Writes and returns the history.
   */
  private History runWorkload(ProcessCluster cluster, Recorder recorder, KeySpace keys, Nemesis nemesis)
      throws IOException, InterruptedException {
    try (Workload workload = new Workload(cluster.clientEndpoints(), keys, settings.clients(), settings.seed(),
        recorder, settings.resend())) {
      workload.start();
      if (!settings.nemesis().isEmpty()) {
        nemesis.start();
      }
      long end = System.nanoTime() + settings.duration().toNanos();
      while (System.nanoTime() < end) {
        Thread.sleep(Math.min(PROGRESS_EVERY_MILLIS, Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))));
        long[] c = recorder.countsSoFar();
        progress(String.format("ok=%d failed=%d unknown=%d kills=%d leader=%s%s", c[0], c[1], c[2],
            nemesis.events().stream().filter(e -> e.step() == NemesisEvent.Step.KILL).count(),
            cluster.leader().orElse("-"), settings.resend() ? " resends=" + recorder.resendsSoFar() : ""));
      }
      nemesis.stop();
      awaitAckAfterLastFault(recorder);
      workload.stop();
      HistoryWriter.write(recorder.history(), workDir.resolve("history.jsonl"));
      progress("workload stopped; healing the cluster and reading the final state");

      cluster.heal();
      cluster.awaitLeader(FIRST_LEADER_MILLIS);
      if (settings.resend()) {
        Workload.Resolution r = workload.resolveIncrements(RESOLUTION_TIME);
        progress("resolution: " + r.resolved() + " of " + r.unknown()
            + " increments of unknown outcome answered by re-sending");
      }
    }
    History history = recorder.history();
    HistoryWriter.write(history, workDir.resolve("history.jsonl"));
    return history;
  }

  /**
   * Keeps the clients running, once faults have stopped, until one more operation is acknowledged (at most
   * {@value #RECOVERY_MILLIS} ms): otherwise a fault injected just before the end would look like one the
   * cluster never recovered from.
   */
  private void awaitAckAfterLastFault(Recorder recorder) throws InterruptedException {
    long okAtStop = recorder.countsSoFar()[0];
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RECOVERY_MILLIS);
    while (recorder.countsSoFar()[0] == okAtStop && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  private void progress(String line) {
    out.printf("[chaos %s] %s%n", LocalTime.now().withNano(0), line);
    out.flush();
  }
}
