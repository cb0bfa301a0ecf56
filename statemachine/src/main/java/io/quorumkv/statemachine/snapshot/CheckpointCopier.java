package io.quorumkv.statemachine.snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a store checkpoint (a flat directory of RocksDB files) into a new directory, durably.
 *
 * <p>SST and blob files are immutable once written, so they are hard-linked when both directories share a
 * filesystem: a multi-gigabyte store is "copied" in milliseconds. Every other file (MANIFEST, CURRENT,
 * OPTIONS, WAL) is really copied, because RocksDB may append to or rewrite those in the store that gets
 * opened, and the source (a snapshot a leader may be streaming) must never change. Ratis' {@code *.md5}
 * sidecars of installed snapshots are left out. Long copies log their progress every few seconds.
 */
final class CheckpointCopier {

  private static final Logger LOG = LoggerFactory.getLogger(CheckpointCopier.class);
  private static final long PROGRESS_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);

  private CheckpointCopier() {}

  /** The files of the checkpoint in {@code dir}: every regular file except Ratis' {@code *.md5} sidecars. */
  static List<Path> checkpointFiles(Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path file : FileTrees.files(dir)) {
      if (!file.getFileName().toString().endsWith(".md5")) {
        files.add(file);
      }
    }
    return files;
  }

  /**
   * Copies the checkpoint in {@code source} to {@code target} and fsyncs the result.
   *
   * @param target directory to create; it must not exist
   * @param purpose what the copy is for, for the progress log
   */
  static void copy(Path source, Path target, String purpose) throws IOException {
    List<Path> files = checkpointFiles(source);
    long total = 0;
    for (Path file : files) {
      total += Files.size(file);
    }
    Files.createDirectory(target);
    long done = 0;
    long lastReport = System.nanoTime();
    for (int i = 0; i < files.size(); i++) {
      Path file = files.get(i);
      Path copy = target.resolve(file.getFileName().toString());
      if (!isImmutable(file) || !tryLink(copy, file)) {
        Files.copy(file, copy);
      }
      done += Files.size(file);
      long now = System.nanoTime();
      if (now - lastReport >= PROGRESS_INTERVAL_NANOS) {
        lastReport = now;
        LOG.info("{}: {}/{} files, {}/{} bytes ({}%)", purpose, i + 1, files.size(), done, total,
            total == 0 ? 100 : done * 100 / total);
      }
    }
    FileTrees.fsyncDirectoryAndFiles(target);
  }

  private static boolean isImmutable(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".sst") || name.endsWith(".blob");
  }

  private static boolean tryLink(Path link, Path existing) {
    try {
      Files.createLink(link, existing);
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      // Another filesystem, or one without hard links: fall back to a real copy.
      LOG.debug("cannot hard-link {} to {}; copying", existing, link, e);
      return false;
    }
  }
}
