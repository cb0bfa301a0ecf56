package io.quorumkv.client;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.v1.WriteId;
import java.nio.ByteBuffer;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * Hands out the identity of each logical write (see {@code WriteId} in common.proto) and tracks what the
 * cluster's session for this client needs to know: the lowest sequence still awaiting its answer, and
 * whether a write was ever ordered (until then writes may open the session). A write takes its id once
 * and every retry re-sends it, which is what lets the cluster apply a retried write at most once.
 *
 * <p>When the cluster says the session expired, {@link #renew} switches to a new client id, sequences
 * starting again at 1. Thread-safe.
 */
final class WriteIds {

  /** One client id's sequence and its writes awaiting an answer. */
  private static final class Session {
    final UUID id;
    final ByteString clientId;
    final ConcurrentSkipListSet<Long> unanswered = new ConcurrentSkipListSet<>();
    long lastSequence; // guarded by this
    volatile boolean ordered;

    Session(UUID id) {
      this.id = id;
      ByteBuffer bytes = ByteBuffer.allocate(16);
      bytes.putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
      this.clientId = ByteString.copyFrom(bytes.array());
    }

    // Synchronized: a sequence must be among the unanswered before a later one reads the lowest, or that
    // later write would tell the cluster to discard a result not yet recorded.
    synchronized WriteId next() {
      long sequence = ++lastSequence;
      unanswered.add(sequence);
      return WriteId.newBuilder()
          .setClientId(clientId)
          .setSequence(sequence)
          .setLowestUnanswered(unanswered.first())
          .setNewSession(!ordered)
          .build();
    }
  }

  private volatile Session session;

  WriteIds(UUID clientId) {
    this.session = new Session(clientId);
  }

  /** The client id new writes carry. */
  UUID clientId() {
    return session.id;
  }

  /** The id of a new logical write. Call {@link #answered} once it has its final outcome. */
  WriteId next() {
    return session.next();
  }

  /**
   * Records the final outcome of a write: it will not be retried any more.
   *
   * @param ordered true if the cluster ordered and applied it (a success, NOT_AN_INTEGER or INDEX_EXISTS), which
   *     proves the session exists: later writes no longer open one
   */
  void answered(WriteId id, boolean ordered) {
    Session current = session;
    if (current.clientId.equals(id.getClientId())) {
      current.unanswered.remove(id.getSequence());
      if (ordered) {
        current.ordered = true;
      }
    }
  }

  /**
   * Starts a new session under a fresh random client id, unless that already happened since {@code
   * expired} was handed out (several writes may learn of the same expiry).
   */
  void renew(WriteId expired) {
    synchronized (this) {
      if (session.clientId.equals(expired.getClientId())) {
        session = new Session(UUID.randomUUID());
      }
    }
  }
}
