package io.quorumkv.server.raft;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of a leader-sent snapshot install, as seen by the receiving member: Ratis writes the chunks
 * under {@code <group>/tmp/snapshot-<request>/} and logs nothing we keep, so every few seconds this looks
 * at what arrived there and logs bytes, files and, once the leader said how large its snapshot is, %.
 */
public final class SnapshotReceiveProgress implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotReceiveProgress.class);
  private static final long EVERY_SECONDS = 5;

  private final Path groupTmpDir;
  private final Supplier<OptionalLong> leaderSnapshotBytes;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread t = new Thread(runnable, "snapshot-receive-progress");
    t.setDaemon(true);
    return t;
  });
  private long lastBytes;
  private OptionalLong total = OptionalLong.empty();

  /**
   * @param groupTmpDir Ratis' {@code <raft storage>/<group>/tmp}
   * @param leaderSnapshotBytes asks the leader for the size of its latest snapshot (empty if it cannot)
   */
  public SnapshotReceiveProgress(Path groupTmpDir, Supplier<OptionalLong> leaderSnapshotBytes) {
    this.groupTmpDir = groupTmpDir;
    this.leaderSnapshotBytes = leaderSnapshotBytes;
  }

  /** Starts checking every few seconds. */
  public SnapshotReceiveProgress start() {
    timer.scheduleWithFixedDelay(() -> {
      try {
        check().ifPresent(LOG::info);
      } catch (RuntimeException e) {
        LOG.debug("cannot look at {}: {}", groupTmpDir, e.toString());
      }
    }, EVERY_SECONDS, EVERY_SECONDS, TimeUnit.SECONDS);
    return this;
  }

  /** The progress line to log now: empty when no install is under way or nothing arrived since last time. */
  synchronized Optional<String> check() {
    List<Path> files = receivedFiles();
    long bytes = files.stream().mapToLong(SnapshotReceiveProgress::size).sum();
    if (files.isEmpty() || bytes == lastBytes) {
      if (files.isEmpty()) {
        lastBytes = 0;
        total = OptionalLong.empty();
      }
      return Optional.empty();
    }
    lastBytes = bytes;
    if (total.isEmpty()) {
      total = leaderSnapshotBytes.get();
    }
    String of = total.isPresent() && total.getAsLong() > 0
        ? String.format(" of %.1f MB (%d%%)", total.getAsLong() / 1e6, Math.min(100, bytes * 100 / total.getAsLong()))
        : "";
    return Optional.of(String.format("receiving the leader's snapshot: %.1f MB%s, %d files so far", bytes / 1e6, of,
        files.size()));
  }

  private List<Path> receivedFiles() {
    if (!Files.isDirectory(groupTmpDir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.walk(groupTmpDir)) {
      return entries.filter(Files::isRegularFile)
          .filter(p -> groupTmpDir.relativize(p).getName(0).toString().startsWith("snapshot-"))
          .filter(p -> !p.getFileName().toString().endsWith(".md5"))
          .toList();
    } catch (IOException | UncheckedIOException e) {
      return List.of(); // Ratis moves the directory away when the install completes.
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
