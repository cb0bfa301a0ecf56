package io.quorumkv.statemachine.core;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.BatchOp;
import io.quorumkv.proto.internal.ClientSession;
import io.quorumkv.proto.internal.Command;
import io.quorumkv.proto.internal.CommandResult;
import io.quorumkv.proto.internal.Failure;
import io.quorumkv.proto.internal.Mutation;
import io.quorumkv.proto.internal.SessionResult;
import io.quorumkv.proto.internal.SessionRules;
import io.quorumkv.proto.v1.WriteId;
import io.quorumkv.statemachine.storage.KvStore;
import io.quorumkv.statemachine.storage.SessionWrites;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.zip.CRC32C;

/**
 * The replica's client sessions (the Raft dissertation's §6.3): per client id, the results of its recent
 * writes, so that a retried write is answered with its first result instead of being applied again.
 *
 * <p>The sessions live in the {@link KvStore}, changed only by {@link SessionWrites} committed in the same
 * atomic write as the entry that makes them, so they are in every snapshot and identical on every member.
 * This class is the in-memory index over them (loaded once, then kept in step with each commit): which
 * sessions exist, their lowest unanswered and highest applied sequence, and their order by idleness.
 * Results themselves are read from the store only when a write repeats one.
 *
 * <p>Rules, all judged by the log clock and the entry's {@link SessionRules}, never by a local clock:
 * <ul>
 *   <li>a write's session keeps the results of its sequences in [lowest unanswered, highest applied];
 *       a client's {@code lowest_unanswered} discards the results below it;</li>
 *   <li>a session with no write for longer than {@code expire_after_millis} expires, with its results;</li>
 *   <li>opening a session when {@code max_sessions} exist first expires the longest-idle one (ties:
 *       the lowest client id).</li>
 * </ul>
 * Not thread-safe: used by the apply thread only. A commit that fails leaves this index ahead of the
 * store; the replica then stops applying (see KvStateMachine), and the index is rebuilt when it restarts.
 */
final class ClientSessions {

  static final long DEFAULT_EXPIRE_AFTER_MILLIS = 10 * 60 * 1000;
  static final int DEFAULT_MAX_SESSIONS = 100_000;

  /** What a client write's session says about it. */
  sealed interface Check {}

  /** Never applied: apply it, then {@link #recordApplied}. */
  record Fresh() implements Check {}

  /** Applied before: answer {@code result} (carrying the original index), change nothing but the session. */
  record Repeat(CommandResult result) implements Check {}

  /** Refused by its session: answer {@code failure}, change nothing. */
  record Refused(CommandResult failure) implements Check {}

  /** One session's index entry. Mutated only while out of {@link #byIdleness}. */
  private static final class Session {
    final ByteString clientId;
    long lastActiveMillis;
    long lowestUnanswered;
    long highestSequence;

    Session(ByteString clientId, ClientSession stored) {
      this.clientId = clientId;
      this.lastActiveMillis = stored.getLastActiveMillis();
      this.lowestUnanswered = stored.getLowestUnanswered();
      this.highestSequence = stored.getHighestSequence();
    }

    ClientSession toProto() {
      return ClientSession.newBuilder().setLastActiveMillis(lastActiveMillis)
          .setLowestUnanswered(lowestUnanswered).setHighestSequence(highestSequence).build();
    }
  }

  private static final Comparator<Session> LONGEST_IDLE_FIRST = Comparator
      .comparingLong((Session s) -> s.lastActiveMillis)
      .thenComparing(s -> s.clientId, ByteString.unsignedLexicographicalComparator());

  private final KvStore store;
  private final Map<ByteString, Session> byClient = new HashMap<>();
  private final TreeSet<Session> byIdleness = new TreeSet<>(LONGEST_IDLE_FIRST);

  private ClientSessions(KvStore store) {
    this.store = store;
  }

  /** The index over the sessions committed in {@code store}. */
  static ClientSessions load(KvStore store) {
    ClientSessions sessions = new ClientSessions(store);
    store.forEachSession((clientId, stored) -> sessions.add(new Session(clientId, stored)));
    return sessions;
  }

  /** Whether {@code command} belongs to a session (it carries a client id). */
  static boolean hasClient(Command command) {
    return command.hasWriteId() && !command.getWriteId().getClientId().isEmpty();
  }

  /** Number of sessions. */
  int size() {
    return byClient.size();
  }

  /**
   * Identifies a command's content apart from its write id, leader context and embeddings: op type, size
   * and CRC-32C of its encoding. A retry is re-encoded from the same request, so it has the same
   * fingerprint; its embeddings may differ (another leader embedded it, or an index appeared meanwhile),
   * and they are derived from the value anyway.
   */
  static long fingerprint(Command command) {
    Command.Builder stripped = command.toBuilder().clearWriteId().clearLeaderTimeMillis().clearSessionRules();
    // Only a command that carries embeddings is copied deeper: turning every mutation of a batch into a
    // builder took a third of this method's time.
    if (command.hasPut() && command.getPut().getEmbeddingsCount() > 0) {
      stripped.getPutBuilder().clearEmbeddings();
    } else if (command.hasBatch() && hasEmbeddings(command.getBatch())) {
      stripped.getBatchBuilder().getMutationsBuilderList().forEach(m -> {
        if (m.hasPut()) {
          m.getPutBuilder().clearEmbeddings();
        }
      });
    }
    ByteString content = stripped.build().toByteString();
    CRC32C crc = new CRC32C();
    crc.update(content.asReadOnlyByteBuffer());
    return crc.getValue() << 32 | (content.size() & 0xFF_FFFFL) << 8 | (command.getOpCase().getNumber() & 0xFF);
  }

  private static boolean hasEmbeddings(BatchOp batch) {
    for (Mutation mutation : batch.getMutationsList()) {
      if (mutation.hasPut() && mutation.getPut().getEmbeddingsCount() > 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * What the session of {@code id}'s client says about the write with this fingerprint, given the session
   * changes its entry has staged so far ({@code staged}). Changes nothing.
   */
  Check check(WriteId id, long fingerprint, SessionWrites staged) {
    Session session = byClient.get(id.getClientId());
    if (session == null) {
      return id.getNewSession() ? new Fresh() : refused(Failure.Code.SESSION_EXPIRED,
          "no session for this client id (it expired after a time without writes, or was never opened): "
              + "the write was not applied; continue with a new client id");
    }
    long sequence = id.getSequence();
    if (sequence < session.lowestUnanswered) {
      return refused(Failure.Code.RESULT_DISCARDED, "sequence " + sequence + " is below lowest_unanswered "
          + session.lowestUnanswered + " sent earlier by this client: its result was discarded; not applied now");
    }
    if (sequence > session.highestSequence) {
      return new Fresh();
    }
    Optional<SessionResult> kept = staged.decidesResult(id.getClientId(), sequence)
        ? staged.stagedResult(id.getClientId(), sequence) : store.sessionResult(id.getClientId(), sequence);
    if (kept.isEmpty()) {
      return new Fresh();
    }
    if (kept.get().getFingerprint() != fingerprint) {
      return refused(Failure.Code.WRITE_ID_REUSED, "write id (sequence " + sequence
          + ") was already used by a different write, applied at index " + kept.get().getIndex());
    }
    return new Repeat(kept.get().getResult().toBuilder().setOriginalIndex(kept.get().getIndex()).build());
  }

  /**
   * Stages the expiry of every session idle for longer than the rules allow at {@code clockMillis}. Call
   * before {@link #check} for each entry, so every member expires at the same entry.
   */
  void expireIdle(long clockMillis, SessionRules rules, SessionWrites out) {
    long expireAfter = expireAfterMillis(rules);
    while (!byIdleness.isEmpty() && clockMillis - byIdleness.first().lastActiveMillis > expireAfter) {
      expire(byIdleness.first(), out);
    }
  }

  /** Stages keeping {@code result} for a {@link Fresh} write applied at {@code index}, opening its session if needed. */
  void recordApplied(WriteId id, long fingerprint, long index, CommandResult result, long clockMillis,
      SessionRules rules, SessionWrites out) {
    Session session = byClient.get(id.getClientId());
    if (session == null) {
      int max = maxSessions(rules);
      while (byClient.size() >= max) {
        expire(byIdleness.first(), out);
      }
      session = new Session(id.getClientId(), ClientSession.newBuilder()
          .setLowestUnanswered(lowestUnanswered(id)).setHighestSequence(id.getSequence()).build());
      add(session);
    }
    out.putResult(id.getClientId(), id.getSequence(),
        SessionResult.newBuilder().setFingerprint(fingerprint).setIndex(index).setResult(result).build());
    touch(session, id, clockMillis, out);
  }

  /** Stages the activity of a {@link Repeat} write: the session stays alive and may discard results. */
  void recordRepeat(WriteId id, long clockMillis, SessionWrites out) {
    touch(byClient.get(id.getClientId()), id, clockMillis, out);
  }

  private void touch(Session session, WriteId id, long clockMillis, SessionWrites out) {
    byIdleness.remove(session);
    long lowest = Math.max(session.lowestUnanswered, lowestUnanswered(id));
    if (lowest > session.lowestUnanswered) {
      out.deleteResults(session.clientId, session.lowestUnanswered, Math.min(lowest, session.highestSequence + 1));
      session.lowestUnanswered = lowest;
    }
    session.highestSequence = Math.max(session.highestSequence, id.getSequence());
    session.lastActiveMillis = Math.max(session.lastActiveMillis, clockMillis);
    byIdleness.add(session);
    out.putSession(session.clientId, session.toProto());
  }

  private void expire(Session session, SessionWrites out) {
    byIdleness.remove(session);
    byClient.remove(session.clientId);
    out.deleteSession(session.clientId);
    out.deleteResults(session.clientId, session.lowestUnanswered, session.highestSequence + 1);
  }

  private void add(Session session) {
    byClient.put(session.clientId, session);
    byIdleness.add(session);
  }

  /** The write's lowest unanswered sequence: 0 means its own, and it never exceeds its own. */
  private static long lowestUnanswered(WriteId id) {
    long lowest = id.getLowestUnanswered();
    return lowest == 0 ? id.getSequence() : Math.min(lowest, id.getSequence());
  }

  private static long expireAfterMillis(SessionRules rules) {
    return rules.getExpireAfterMillis() == 0 ? DEFAULT_EXPIRE_AFTER_MILLIS : rules.getExpireAfterMillis();
  }

  private static int maxSessions(SessionRules rules) {
    return rules.getMaxSessions() == 0 ? DEFAULT_MAX_SESSIONS : rules.getMaxSessions();
  }

  private static Refused refused(Failure.Code code, String message) {
    return new Refused(Results.failure(code, message));
  }
}
