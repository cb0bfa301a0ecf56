package io.quorumkv.statemachine.snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots as store checkpoints in Ratis' state-machine directory ({@code <raft storage>/<group>/sm/}):
 * one directory per snapshot named {@code <term>_<index>}, holding the checkpoint's files (plus Ratis'
 * {@code *.md5} sidecars when the snapshot was installed from a leader).
 *
 * <p>Contract:
 * <ul>
 *   <li>A snapshot directory appears atomically: it is built as {@code .tmp-<term>_<index>} and renamed
 *       when complete and fsynced ({@link #stagingDir}, {@link #publish}). {@code .tmp-*} entries are never
 *       snapshots; stale ones are deleted by {@link #init}.</li>
 *   <li>{@link #getLatestSnapshot()} is O(1) (Ratis calls it on every log-appender loop): it returns the
 *       snapshot cached by the last {@link #init}, {@link #reload} or {@link #publish}.</li>
 *   <li>The {@link SnapshotInfo} lists the checkpoint's files without digests (Ratis computes them while
 *       streaming) and without {@code *.md5} sidecars, with sizes taken once the files are final.</li>
 *   <li>{@link #cleanupOldSnapshots} keeps the newest N snapshots of the retention policy (all if N is not
 *       positive). Keep at least 2: a leader may still be streaming the older one to a follower.</li>
 * </ul>
 * Calls other than {@link #getLatestSnapshot()} come from one thread at a time (Ratis' apply thread, or
 * the state machine's initialization).
 */
public final class CheckpointSnapshotStorage implements StateMachineStorage {

  private static final Logger LOG = LoggerFactory.getLogger(CheckpointSnapshotStorage.class);
  private static final String STAGING_PREFIX = ".tmp-";
  private static final Pattern NAME = Pattern.compile("(\\d+)_(\\d+)");

  private volatile Path smDir;
  private volatile SnapshotInfo latest;

  /** Uses Ratis' default state-machine directory of {@code raftStorage}; deletes stale staging dirs. */
  @Override
  public void init(RaftStorage raftStorage) throws IOException {
    initAt(raftStorage.getStorageDir().getStateMachineDir().toPath());
  }

  /** {@link #init} for a state-machine directory given directly (offline tools). */
  void initAt(Path stateMachineDir) throws IOException {
    smDir = stateMachineDir.toAbsolutePath();
    Files.createDirectories(smDir);
    try (Stream<Path> entries = Files.list(smDir)) {
      for (Path stale : entries.filter(p -> p.getFileName().toString().startsWith(STAGING_PREFIX)).toList()) {
        LOG.info("deleting unfinished snapshot {}", stale);
        FileTrees.deleteTree(stale);
      }
    }
    reload();
  }

  /** Rescans the directory for the newest snapshot, e.g. after Ratis replaced it with an installed one. */
  public void reload() throws IOException {
    Optional<TermIndex> newest = snapshots().stream().findFirst();
    latest = newest.isPresent() ? describe(newest.get()) : null;
  }

  @Override
  public SnapshotInfo getLatestSnapshot() {
    return latest;
  }

  /** The directory holding the files of {@code snapshot}. */
  public Path directoryOf(SnapshotInfo snapshot) {
    return smDir.resolve(name(snapshot.getTermIndex()));
  }

  /** True if a complete snapshot at {@code termIndex} exists. */
  boolean has(TermIndex termIndex) {
    return Files.isDirectory(smDir.resolve(name(termIndex)));
  }

  /**
   * A fresh, not yet existing path in the snapshot directory where the checkpoint for {@code termIndex}
   * is to be written before {@link #publish}; a leftover from an earlier attempt is deleted.
   */
  public Path stagingDir(TermIndex termIndex) throws IOException {
    Path staging = smDir.resolve(STAGING_PREFIX + name(termIndex));
    FileTrees.deleteTree(staging);
    return staging;
  }

  /**
   * A fresh, not yet existing path in the snapshot directory for a checkpoint fetched from another member,
   * whose (term, index) is known only once it is complete; {@link #publish} it from there. A leftover from
   * an earlier attempt is deleted, and so is one left by a crash ({@link #init}).
   */
  public Path fetchStagingDir() throws IOException {
    Path staging = smDir.resolve(STAGING_PREFIX + "fetched");
    FileTrees.deleteTree(staging);
    return staging;
  }

  /**
   * Makes the complete checkpoint in {@code staging} the snapshot at {@code termIndex}: fsyncs it, renames
   * it into place and caches it as the latest snapshot.
   *
   * @return the new latest snapshot
   */
  public SnapshotInfo publish(TermIndex termIndex, Path staging) throws IOException {
    FileTrees.fsyncDirectoryAndFiles(staging);
    Path target = smDir.resolve(name(termIndex));
    Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    FileTrees.fsync(smDir);
    SnapshotInfo published = describe(termIndex);
    latest = published;
    return published;
  }

  /** Nothing to do: Ratis formats the whole group directory, {@code sm/} included. */
  @Override
  public void format() {
    // Intentionally empty, see above.
  }

  @Override
  public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) throws IOException {
    int keep = policy == null ? SnapshotRetentionPolicy.DEFAULT_ALL_SNAPSHOTS_RETAINED
        : policy.getNumSnapshotsRetained();
    if (keep <= 0) {
      return;
    }
    List<TermIndex> all = snapshots();
    for (TermIndex old : all.subList(Math.min(keep, all.size()), all.size())) {
      LOG.info("deleting old snapshot {}", name(old));
      FileTrees.deleteTree(smDir.resolve(name(old)));
    }
  }

  /** Complete snapshots in the directory, newest first. */
  private List<TermIndex> snapshots() throws IOException {
    List<TermIndex> found = new ArrayList<>();
    try (Stream<Path> entries = Files.list(smDir)) {
      for (Path entry : entries.filter(Files::isDirectory).toList()) {
        Matcher matcher = NAME.matcher(entry.getFileName().toString());
        if (matcher.matches()) {
          found.add(TermIndex.valueOf(Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2))));
        }
      }
    }
    // By index: terms do not order snapshots (a seed restored from a backup is labelled term 0).
    found.sort(Comparator.comparingLong(TermIndex::getIndex).thenComparingLong(TermIndex::getTerm).reversed());
    return found;
  }

  private SnapshotInfo describe(TermIndex termIndex) throws IOException {
    List<FileInfo> files = new ArrayList<>();
    for (Path file : CheckpointCopier.checkpointFiles(smDir.resolve(name(termIndex)))) {
      files.add(new FileInfo(file, null));
    }
    return new FileListSnapshotInfo(files, termIndex);
  }

  /** The directory name of the snapshot at {@code termIndex}. */
  static String name(TermIndex termIndex) {
    return termIndex.getTerm() + "_" + termIndex.getIndex();
  }
}
