package io.quorumkv.server.raft;

import io.quorumkv.proto.internal.Command;
import io.quorumkv.proto.v1.ErrorCode;
import io.quorumkv.server.config.WriteSettings;
import io.quorumkv.server.errors.KvError;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Proposes concurrent client writes together. At most {@link WriteSettings#maxEntriesInFlight()} entries
 * of this member are being replicated at a time; writes that arrive meanwhile queue, and the next entry
 * carries all of them (up to a count and a size) as one coalesced entry. Raft's cost is per entry (one
 * proposal, one log append on every member, one apply and one RocksDB commit), so under load many writes
 * share it, while a write that finds a free slot is proposed at once, by itself: nothing ever waits for a
 * timer. This is how TiKV and CockroachDB batch proposals.
 *
 * <p>Each write keeps its own write id, session check and result (see {@code CoalescedOp}); a failure of
 * the entry as a whole (this member is not the leader, a timeout) fails each of its writes with it, which
 * the client retries under the same write id. Writes are completed on {@code replies}, never on Ratis'
 * apply thread. Thread-safe.
 */
public final class WriteCoalescer {

  /** Room for the framing of each write inside the entry, and for the entry's own fields. */
  private static final int FRAMING_BYTES_PER_WRITE = 16;
  private static final int ENTRY_OVERHEAD_BYTES = 1024;

  /**
   * An entry not answered in this time fails its writes with REQUEST_TIMEOUT (outcome unknown: clients
   * retry under the same write id) and frees its slot, so one entry that Ratis never answers cannot stall
   * every later write on this leader.
   */
  public static final long DEFAULT_ENTRY_TIMEOUT_MILLIS = 10_000;

  private record Pending(Command write, CompletableFuture<WriteOutcome> outcome) {}

  private final WriteProposer proposer;
  private final WriteSettings settings;
  private final long maxEntryBytes;
  private final Executor replies;
  private final long entryTimeoutMillis;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private int entriesInFlight;

  /**
   * @param maxEntryBytes the largest command one log entry may carry
   * @param replies where writes are completed
   */
  public WriteCoalescer(WriteProposer proposer, WriteSettings settings, long maxEntryBytes, Executor replies) {
    this(proposer, settings, maxEntryBytes, replies, DEFAULT_ENTRY_TIMEOUT_MILLIS);
  }

  WriteCoalescer(WriteProposer proposer, WriteSettings settings, long maxEntryBytes, Executor replies,
      long entryTimeoutMillis) {
    this.proposer = proposer;
    this.settings = settings;
    this.maxEntryBytes = maxEntryBytes - ENTRY_OVERHEAD_BYTES;
    this.replies = replies;
    this.entryTimeoutMillis = entryTimeoutMillis;
  }

  /**
   * Replicates and applies one client write (op and write id set), alone or with others.
   *
   * @return its outcome; fails with OVERLOADED at once if {@link WriteSettings#maxQueuedWrites()} writes
   *     already wait for an entry, or with what the entry failed with
   */
  public CompletableFuture<WriteOutcome> write(Command.Builder write) {
    Pending pending = new Pending(write.build(), new CompletableFuture<>());
    synchronized (this) {
      if (queue.size() >= settings.maxQueuedWrites()) {
        return CompletableFuture.failedFuture(new KvError(ErrorCode.OVERLOADED,
            queue.size() + " writes are waiting to be proposed on this leader; retry later"));
      }
      queue.add(pending);
    }
    proposeWhileRoom();
    return pending.outcome();
  }

  /** Writes waiting for an entry. */
  public synchronized int queuedWrites() {
    return queue.size();
  }

  private void proposeWhileRoom() {
    List<Pending> next;
    while ((next = takeNextEntry()) != null) {
      propose(next);
    }
  }

  /** The writes of the next entry, taking its in-flight slot; null if there is none or no free slot. */
  private synchronized List<Pending> takeNextEntry() {
    if (queue.isEmpty() || entriesInFlight >= settings.maxEntriesInFlight()) {
      return null;
    }
    List<Pending> entry = new ArrayList<>();
    long bytes = 0;
    while (!queue.isEmpty() && entry.size() < settings.maxWritesPerEntry()) {
      long size = queue.peek().write().getSerializedSize() + FRAMING_BYTES_PER_WRITE;
      if (!entry.isEmpty() && bytes + size > maxEntryBytes) {
        break;
      }
      bytes += size;
      entry.add(queue.poll());
    }
    entriesInFlight++;
    return entry;
  }

  private void propose(List<Pending> entry) {
    CompletableFuture<List<WriteOutcome>> outcomes;
    try {
      if (entry.size() == 1) {
        outcomes = proposer.write(entry.get(0).write().toBuilder()).thenApply(List::of);
      } else {
        List<Command> writes = new ArrayList<>(entry.size());
        entry.forEach(p -> writes.add(p.write()));
        outcomes = proposer.writeCoalesced(writes);
      }
    } catch (RuntimeException e) {
      outcomes = CompletableFuture.failedFuture(e);
    }
    outcomes.copy().orTimeout(entryTimeoutMillis, TimeUnit.MILLISECONDS).whenCompleteAsync((results, error) -> {
      synchronized (this) {
        entriesInFlight--;
      }
      proposeWhileRoom();
      for (int i = 0; i < entry.size(); i++) {
        if (error != null) {
          entry.get(i).outcome().completeExceptionally(error);
        } else {
          entry.get(i).outcome().complete(results.get(i));
        }
      }
    }, replies);
  }
}
