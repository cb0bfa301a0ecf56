package io.quorumkv.chaos.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes cluster files for clusters on loopback, with ports that were free when the file was written. */
public final class ClusterFiles {
  private ClusterFiles() {}

  /**
   * Writes {@code dir/cluster.yaml} for {@code size} members n1..nN on 127.0.0.1 with data under
   * {@code dir/data}. Every other setting keeps its default, so runs measure the default configuration.
   */
  public static Path loopback(Path dir, String name, int size) throws IOException {
    return loopback(dir, name, size, "");
  }

  /**
   * {@link #loopback(Path, String, int)} plus {@code extraYaml}: top-level sections of the cluster file
   * such as {@code "log:\n  snapshot-every-entries: 300\n"}.
   */
  public static Path loopback(Path dir, String name, int size, String extraYaml) throws IOException {
    StringBuilder yaml = new StringBuilder("cluster:\n  name: ").append(name)
        .append("\n  data-dir: ").append(dir.toAbsolutePath().resolve("data")).append("\n")
        .append(extraYaml).append("nodes:\n");
    for (int i = 1; i <= size; i++) {
      yaml.append("  - {id: n").append(i).append(", host: 127.0.0.1, raft-port: ").append(freePort())
          .append(", client-port: ").append(freePort()).append("}\n");
    }
    Files.createDirectories(dir);
    return Files.writeString(dir.resolve("cluster.yaml"), yaml);
  }

  /**
   * Writes {@code target}: the cluster file {@code clusterFile} (as {@link #loopback} writes them) with
   * only its first {@code count} members: the file of the fresh cluster that the others join later.
   */
  public static Path firstMembers(Path clusterFile, int count, Path target) throws IOException {
    StringBuilder yaml = new StringBuilder();
    int members = 0;
    for (String line : Files.readAllLines(clusterFile)) {
      if (line.startsWith("  - {id: ") && ++members > count) {
        continue;
      }
      yaml.append(line).append('\n');
    }
    return Files.writeString(target, yaml);
  }

  /** A TCP port free on this machine right now. */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
