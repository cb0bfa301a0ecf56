package io.quorumkv.server.launch;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A member running in its own JVM, started with this JVM's classpath: used by {@code local-cluster} and by
 * the process-level tests, which need real processes they can SIGKILL.
 */
public final class NodeProcess {
  /**
   * Modest defaults so that three members and a load generator fit on a 2-core machine. These members
   * share the machine's cores, so they run C1-compiled code only: with the tiered JIT every (re)started
   * member spends tens of seconds of CPU in C2 compilation that the others need. Measured on 2 cores,
   * 3 members: put@64 in the first 15 s 4,347 vs 1,766 ops/s; with a leader SIGKILL every 8 s 1,225 vs
   * 439 ops/s (fault-free 1,515 vs 1,378); after 40 s of load C2 code is faster (5,720 vs 4,573 ops/s).
   * A member on a machine of its own ({@code quorumkv node}) keeps the tiered JIT.
   */
  private static final List<String> DEFAULT_JVM_OPTIONS = List.of(
      "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
      "-Dio.netty.maxDirectMemory=67108864",
      "-Dorg.apache.ratis.thirdparty.io.netty.maxDirectMemory=134217728");
  /**
   * A member that runs out of memory must die (and be restarted) rather than go on with failed threads.
   * The shaded Netty inside Ratis reads its io.netty.* settings under the org.apache.ratis.thirdparty.
   * prefix; on Java 17 it allocates direct buffers without a Cleaner (the only ones its maxDirectMemory
   * cap above applies to) only if it may reflect into java.nio, and it optimises its selectors only if
   * sun.nio.ch is open to it.
   */
  private static final List<String> REQUIRED_JVM_OPTIONS = List.of(
      "-XX:+ExitOnOutOfMemoryError",
      "--add-opens", "java.base/java.nio=ALL-UNNAMED",
      "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
      "-Dorg.apache.ratis.thirdparty.io.netty.tryReflectionSetAccessible=true");

  /** The classpath members run with, if not this JVM's (the launcher sets it to the server's jar). */
  static final String CLASSPATH_PROPERTY = "quorumkv.member.classpath";
  /**
   * A class-data sharing archive recorded with that classpath (the launcher's quorumkv-member.jsa); a JVM
   * whose classpath does not match it ignores it.
   */
  static final String ARCHIVE_PROPERTY = "quorumkv.member.archive";

  private final String nodeId;
  private final Process process;
  private final Path logFile;

  private NodeProcess(String nodeId, Process process, Path logFile) {
    this.nodeId = nodeId;
    this.process = process;
    this.logFile = logFile;
  }

  /**
   * Starts {@code quorumkv node --config configFile --node nodeId}, appending its output to logFile.
   * Extra JVM options come from the environment variable QUORUMKV_NODE_OPTS (space separated) and
   * replace the default heap and GC settings. The member runs with the classpath and class-data sharing
   * archive of the system properties {@value #CLASSPATH_PROPERTY} and {@value #ARCHIVE_PROPERTY} where set.
   */
  public static NodeProcess start(Path configFile, String nodeId, Path logFile) throws IOException {
    return start(configFile, nodeId, logFile, List.of());
  }

  /** As {@link #start(Path, String, Path)}, with more options of {@code quorumkv node} (e.g. --join). */
  public static NodeProcess start(Path configFile, String nodeId, Path logFile, List<String> nodeOptions)
      throws IOException {
    Files.createDirectories(logFile.toAbsolutePath().getParent());
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String extra = System.getenv("QUORUMKV_NODE_OPTS");
    command.addAll(extra == null || extra.isBlank() ? DEFAULT_JVM_OPTIONS : Arrays.asList(extra.trim().split("\\s+")));
    command.addAll(REQUIRED_JVM_OPTIONS);
    command.addAll(classDataSharing());
    command.addAll(List.of("-cp", System.getProperty(CLASSPATH_PROPERTY, System.getProperty("java.class.path")),
        ServerCli.class.getName(),
        "node", "--config", configFile.toAbsolutePath().toString(), "--node", nodeId));
    command.addAll(nodeOptions);
    Process process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
    return new NodeProcess(nodeId, process, logFile);
  }

  private static List<String> classDataSharing() {
    String archive = System.getProperty(ARCHIVE_PROPERTY);
    if (archive == null || !Files.isRegularFile(Path.of(archive))) {
      return List.of();
    }
    return List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
  }

  public String nodeId() {
    return nodeId;
  }

  public long pid() {
    return process.pid();
  }

  public Path logFile() {
    return logFile;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public Process process() {
    return process;
  }

  /** SIGKILL: the member gets no chance to clean up, like a power cut of the process. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** SIGTERM, then SIGKILL if the member has not stopped within the grace period. Returns the exit code. */
  public int stop(long graceMillis) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
    }
    return process.waitFor();
  }
}
