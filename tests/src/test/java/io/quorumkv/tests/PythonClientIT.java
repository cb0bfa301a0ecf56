package io.quorumkv.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.quorumkv.chaos.harness.ClusterFiles;
import io.quorumkv.chaos.harness.ProcessCluster;
import io.quorumkv.client.Entry;
import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.client.ReadOptions;
import io.quorumkv.client.ScanOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client in another language, written only from the .proto comments, against three real member
 * processes: tests/python/quorumkv_client_check.py generates its stubs from proto/, follows NOT_LEADER
 * hints, pages a prefix scan, and SIGKILLs the leader to prove that a write re-sent with the same WriteId
 * is applied once. This test starts the cluster, runs the script, and reads back from Java what the
 * script's docstring says it leaves behind.
 *
 * <p>Needs python3 with the Debian packages python3-grpcio and python3-grpc-tools; without them it
 * fails and says so.
 */
class PythonClientIT {
  private static final String PREFIX = "py/";
  private static final int SCAN_KEYS = 23;
  private static final int PAGE_SIZE = 5;
  private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(90);
  private static final String PACKAGES = "python3-grpcio python3-grpc-tools";

  private ProcessCluster cluster;
  private Process script;

  @AfterEach
  void stopAll() {
    if (script != null) {
      script.destroyForcibly();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aPythonClientBuiltFromTheProtoCommentsWorksAcrossALeaderKill() throws Exception {
    String python = findPython();
    Path repo = repoRoot();
    long seed = TestSeeds.seed("PythonClientIT");
    Path dir = TestSupport.newTestDir("python-client-");
    cluster = new ProcessCluster(ClusterFiles.loopback(dir, "python-client", 3), dir.resolve("logs"));
    cluster.startAll();
    String leader = cluster.awaitLeader(60_000).orElseThrow(() -> new AssertionError("no leader in 60 s"));
    List<String> ids = cluster.nodeIds();
    String endpoints = ids.stream().map(id -> id + "=" + cluster.config().requireNode(id).clientAddress())
        .collect(Collectors.joining(","));
    String pids = ids.stream().map(id -> id + "=" + cluster.pid(id)).collect(Collectors.joining(","));
    System.out.println("PythonClientIT: leader " + leader + ", members " + endpoints + ", pids " + pids);

    List<String> command = List.of(python, "-u", repo.resolve("tests/python/quorumkv_client_check.py").toString(),
        "--endpoints", endpoints, "--pids", pids, "--prefix", PREFIX, "--scan-keys", Integer.toString(SCAN_KEYS),
        "--page-size", Integer.toString(PAGE_SIZE), "--seed=" + seed);
    Path output = dir.resolve("python-client.log");
    int exit = runStreaming(command, repo, output);
    assertThat(exit).as("exit status of the Python client check (its output: %s)", output).isZero();

    // The script killed the leader it wrote to: exactly one member is down, and another one leads.
    List<String> down = ids.stream().filter(id -> !cluster.isRunning(id)).toList();
    assertThat(down).as("members the script SIGKILLed").hasSize(1);
    String newLeader = cluster.awaitLeader(30_000).orElseThrow(() -> new AssertionError("no leader after the kill"));
    assertThat(newLeader).isNotEqualTo(down.get(0));

    // What the script wrote is there, read back through the Java client (linearizable).
    try (QuorumKvClient kv = QuorumKvClient.builder().endpoints(cluster.clientEndpoints())
        .overallTimeout(Duration.ofSeconds(20)).build()) {
      assertThat(text(kv, "kv/hello")).contains("hello from python");
      assertThat(text(kv, "counter")).as("counter: 41, then +1 once despite the retry").contains("42");
      assertThat(text(kv, "kv/after-failover")).contains("after failover");
      assertThat(kv.exists(PREFIX + "kv/doomed")).as("deleted key").isFalse();
      for (String decoy : List.of("scan", "scan.x", "scan0")) {
        assertThat(text(kv, decoy)).as(decoy).contains("decoy");
      }
      List<String> scanned = kv.scanAll(ScanOptions.builder().prefix(PREFIX + "scan/").pageSize(PAGE_SIZE)
              .read(ReadOptions.linearizable()).build())
          .map(e -> e.keyUtf8() + "=" + e.value().getText()).toList();
      List<String> expected = IntStream.range(0, SCAN_KEYS)
          .mapToObj(i -> String.format("%sscan/%04d=value-%04d", PREFIX, i, i)).toList();
      assertThat(scanned).containsExactlyElementsOf(expected);
    }
  }

  private static Optional<String> text(QuorumKvClient kv, String key) {
    return kv.get(PREFIX + key).map(Entry::value).map(v -> v.getText());
  }

  /**
   * Runs the script with its output (stdout and stderr) copied line by line to the test log and to
   * {@code output}, and returns its exit status; fails if it runs longer than {@link #SCRIPT_TIMEOUT}.
   */
  private int runStreaming(List<String> command, Path workDir, Path output) throws Exception {
    script = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
    Thread copier = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(script.getInputStream(),
          StandardCharsets.UTF_8)); var out = Files.newBufferedWriter(output)) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          System.out.println("[python] " + line);
          out.write(line);
          out.newLine();
        }
      } catch (IOException e) {
        System.out.println("[python] output stopped: " + e);
      }
    }, "python-output");
    copier.start();
    if (!script.waitFor(SCRIPT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      script.destroyForcibly();
      throw new AssertionError("the Python client check did not finish within " + SCRIPT_TIMEOUT);
    }
    copier.join(5_000);
    return script.exitValue();
  }

  /**
   * A python3 that can import grpc and grpc_tools: -Dquorumkv.python if set, else python3 on the PATH,
   * else Debian's /usr/bin/python3 (where apt-get installs the packages; a pyenv or virtualenv python3
   * earlier on the PATH does not see them).
   */
  private static String findPython() throws InterruptedException {
    String fixed = System.getProperty("quorumkv.python", "").trim();
    List<String> candidates = fixed.isEmpty() ? List.of("python3", "/usr/bin/python3") : List.of(fixed);
    List<String> tried = new ArrayList<>();
    for (String python : candidates) {
      try {
        Process p = new ProcessBuilder(python, "-c", "import grpc, grpc_tools").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
          return python;
        }
        tried.add(python + ": " + (out.isEmpty() ? "exit " + p.exitValue() : out.lines().reduce((a, b) -> b).get()));
      } catch (IOException e) {
        tried.add(python + ": " + e.getMessage());
      }
    }
    throw new AssertionError("PythonClientIT needs python3 with the gRPC modules. Install the Debian packages: "
        + "apt-get install -y " + PACKAGES + " (tried " + String.join("; ", tried) + ")");
  }

  /** The repository root: the parent of the tests module's basedir (Maven's working directory for tests). */
  private static Path repoRoot() {
    Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    Path repo = module.getParent();
    if (repo == null || !Files.isRegularFile(repo.resolve("tests/python/quorumkv_client_check.py"))) {
      throw new AssertionError("cannot find tests/python/quorumkv_client_check.py above " + module);
    }
    return repo;
  }
}
