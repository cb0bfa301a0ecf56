package io.quorumkv.statemachine.snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Replaces the live database directory with a copy of a checkpoint so that a crash at any point leaves
 * either the complete old or the complete new database at the live path, never a mix.
 *
 * <p>The copy is built in {@code <db>.restore-tmp}; then {@code <db>} is renamed to {@code <db>.old},
 * {@code <db>.restore-tmp} to {@code <db>}, and {@code <db>.old} is deleted. {@link #recover} undoes an
 * interrupted swap: a half-built {@code .restore-tmp} is discarded, and if the crash fell between the two
 * renames the old database goes back into place. Choosing the old database is always safe: the caller
 * compares its applied index with the latest snapshot's and swaps again if it is behind.
 */
public final class LiveDbSwap {

  private LiveDbSwap() {}

  /** Removes what an interrupted {@link #replace} left next to {@code dbDir}. Call before opening it. */
  public static void recover(Path dbDir) throws IOException {
    Path old = sibling(dbDir, ".old");
    if (!Files.exists(dbDir) && Files.isDirectory(old)) {
      Files.move(old, dbDir, StandardCopyOption.ATOMIC_MOVE);
      FileTrees.fsync(dbDir.toAbsolutePath().getParent());
    }
    FileTrees.deleteTree(sibling(dbDir, ".restore-tmp"));
    FileTrees.deleteTree(old);
  }

  /**
   * Makes {@code dbDir} a copy of the checkpoint in {@code checkpointDir} (minus {@code *.md5} sidecars),
   * replacing whatever was there. The database must be closed.
   */
  public static void replace(Path checkpointDir, Path dbDir) throws IOException {
    recover(dbDir);
    Path staging = sibling(dbDir, ".restore-tmp");
    Path old = sibling(dbDir, ".old");
    Files.createDirectories(dbDir.toAbsolutePath().getParent());
    CheckpointCopier.copy(checkpointDir, staging, "restoring " + dbDir + " from " + checkpointDir);
    if (Files.exists(dbDir)) {
      Files.move(dbDir, old, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(staging, dbDir, StandardCopyOption.ATOMIC_MOVE);
    FileTrees.fsync(dbDir.toAbsolutePath().getParent());
    FileTrees.deleteTree(old);
  }

  private static Path sibling(Path dbDir, String suffix) {
    return dbDir.resolveSibling(dbDir.getFileName() + suffix);
  }
}
