package io.quorumkv.server.api;

import io.quorumkv.server.Directories;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Where online backups keep their checkpoint while they stream it: {@code <data dir>/backup-tmp/<uuid>}.
 * A checkpoint hard-links the store's SST files, so one left behind by a member that stopped during a
 * backup would keep files the live store has long dropped, and their disk space, for good.
 */
public final class BackupStaging {
  private final Path root;

  public BackupStaging(Path dataDir) {
    this.root = dataDir.resolve("backup-tmp");
  }

  /** A fresh directory for one backup's checkpoint: it does not exist yet, its parent does. */
  Path newCheckpointDir() throws IOException {
    return Files.createDirectories(root).resolve(UUID.randomUUID().toString());
  }

  /**
   * Deletes every checkpoint left by earlier runs of the member. Call at start, before any backup can run.
   *
   * @return how many were deleted
   */
  public int removeLeftovers() throws IOException {
    if (!Files.isDirectory(root)) {
      return 0;
    }
    List<Path> leftovers;
    try (Stream<Path> entries = Files.list(root)) {
      leftovers = entries.toList();
    }
    for (Path leftover : leftovers) {
      Directories.deleteRecursively(leftover);
    }
    return leftovers.size();
  }

  @Override
  public String toString() {
    return root.toString();
  }
}
