package io.quorumkv.statemachine.snapshot;

import io.quorumkv.proto.internal.AppliedIndex;
import io.quorumkv.statemachine.storage.RocksKvStore;
import io.quorumkv.statemachine.storage.StorageException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.protocol.TermIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine's half of Ratis' notification-mode snapshot install: fetches a checkpoint from the
 * leader into a staging directory next to the snapshots (on one background thread, while the live store
 * keeps serving), verifies it, and publishes it as the newest snapshot when Ratis reloads the state
 * machine.
 *
 * <p>Crash safety: the staging directory is never a snapshot ({@link CheckpointSnapshotStorage} deletes it
 * on start), so a crash before {@link #publishFetched} leaves the member as it was, and the leader asks
 * again; after it, the member starts from the published snapshot.
 *
 * <p>One fetched checkpoint at a time: Ratis may ask for the next install (the leader purged further
 * meanwhile) while the reload that publishes the previous one is still queued on the apply thread, so a
 * new fetch first waits until the previous checkpoint is published. (Without that wait, a new fetch
 * reused the staging directory under the reload, which published a half-written store: found by
 * ChaosSnapshotInstallIT.)
 */
public final class FetchedInstalls implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FetchedInstalls.class);
  /** How long a new fetch waits for Ratis to reload and publish the previous one. */
  private static final long PUBLISH_WAIT_MILLIS = 60_000;

  /** A verified checkpoint in staging, waiting for Ratis to reload the state machine. */
  private record Fetched(TermIndex termIndex, Path dir) {}

  private final Object owner;
  private final SnapshotFetcher fetcher;
  private final CheckpointSnapshotStorage snapshots;
  private final ExecutorService thread;
  // The verified checkpoint not yet published; guarded by this, which is notified when it is cleared.
  private Fetched pending;

  /**
   * @param owner names the member in log lines (its {@code toString()})
   * @param snapshots where fetched checkpoints are staged and published
   */
  public FetchedInstalls(Object owner, SnapshotFetcher fetcher, CheckpointSnapshotStorage snapshots) {
    this.owner = owner;
    this.fetcher = fetcher;
    this.snapshots = snapshots;
    this.thread = Executors.newSingleThreadExecutor(runnable -> {
      Thread t = new Thread(runnable, "snapshot-fetch");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Starts fetching a checkpoint holding at least the entries up to {@code minIndex} from {@code leader}.
   *
   * @return completes with the checkpoint's (term, index) once it is staged and verified, or exceptionally
   *     if the fetch or the verification failed (nothing is left behind then)
   */
  public CompletableFuture<TermIndex> fetch(RaftPeer leader, long minIndex) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return fetchAndVerify(leader, minIndex);
      } catch (IOException | RuntimeException e) {
        LOG.warn("{}: fetching a snapshot from {} failed: {}", owner, leader.getId(), e.getMessage());
        throw new CompletionException(e);
      }
    }, thread);
  }

  /**
   * Publishes the checkpoint fetched last, if any, as the newest snapshot. Called when Ratis reloads the
   * state machine after a completed {@link #fetch}.
   */
  public void publishFetched() throws IOException {
    Fetched done;
    synchronized (this) {
      done = pending;
    }
    if (done == null) {
      return;
    }
    boolean published = false;
    try {
      if (!snapshots.has(done.termIndex())) {
        snapshots.publish(done.termIndex(), done.dir());
        published = true;
      }
      // Else already a snapshot here (a leader-sent install of the same state).
    } finally {
      if (!published) {
        FileTrees.deleteTree(done.dir());
      }
      synchronized (this) {
        pending = null;
        notifyAll();
      }
    }
  }

  private synchronized void awaitPreviousPublished() throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PUBLISH_WAIT_MILLIS);
    try {
      while (pending != null) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          throw new IOException("the snapshot fetched before (" + pending.termIndex()
              + ") was not installed within " + PUBLISH_WAIT_MILLIS + " ms");
        }
        wait(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the previous snapshot to be installed", e);
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }

  private TermIndex fetchAndVerify(RaftPeer leader, long minIndex) throws IOException {
    long start = System.nanoTime();
    LOG.info("{}: behind the leader's log, which starts after index {}; fetching a snapshot from {}",
        owner, minIndex, leader.getId());
    awaitPreviousPublished();
    Path staging = snapshots.fetchStagingDir();
    try {
      fetcher.fetch(leader, minIndex, staging);
      AppliedIndex applied = RocksKvStore.appliedIndexOf(staging);
      if (applied.getIndex() < minIndex) {
        throw new IOException("the snapshot from " + leader.getId() + " ends at index " + applied.getIndex()
            + ", before the leader's log starts (" + (minIndex + 1) + ")");
      }
      TermIndex termIndex = TermIndex.valueOf(applied.getTerm(), applied.getIndex());
      synchronized (this) {
        pending = new Fetched(termIndex, staging);
      }
      LOG.info("{}: fetched snapshot {} from {} in {} ms; installing it", owner, termIndex, leader,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      return termIndex;
    } catch (StorageException e) {
      FileTrees.deleteTree(staging);
      throw new IOException("what " + leader.getId() + " sent is not a readable store: " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      FileTrees.deleteTree(staging);
      throw e;
    }
  }
}
