package io.quorumkv.statemachine.storage;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.ClientSession;
import io.quorumkv.proto.internal.SessionResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The client-session changes one log entry makes, committed in the same atomic write as its key
 * mutations. Changes of kept results are applied in the order they were staged. Of a session's header
 * only the last change is kept: each of a client's writes in an entry rewrites its header, and in one
 * atomic write only the last change of a key counts anyway. Until the commit, the set also answers what
 * it makes of a write's kept result ({@link #decidesResult}, {@link #stagedResult}), so that later writes
 * of the same entry see the earlier ones.
 */
public final class SessionWrites {

  /** One staged change. */
  public sealed interface Change {}

  /** Stores {@code session} as the header of {@code clientId}'s session. */
  public record PutSession(ByteString clientId, ClientSession session) implements Change {}

  /** Removes the header of {@code clientId}'s session. */
  public record DeleteSession(ByteString clientId) implements Change {}

  /** Keeps {@code result} for {@code clientId}'s write {@code sequence}. */
  public record PutResult(ByteString clientId, long sequence, SessionResult result) implements Change {}

  /** Drops the kept results of {@code clientId}'s sequences in [{@code from}, {@code to}). */
  public record DeleteResults(ByteString clientId, long from, long to) implements Change {}

  private record ResultKey(ByteString clientId, long sequence) {}

  private final List<Change> resultChanges = new ArrayList<>();
  /** Client id → the last change of its session header, in the order the clients were first staged. */
  private final Map<ByteString, Change> headerChanges = new LinkedHashMap<>();
  /** The results kept by this set and not dropped again by a later change of it. */
  private final Map<ResultKey, SessionResult> keptResults = new HashMap<>();
  private final List<DeleteResults> droppedResults = new ArrayList<>();

  public void putSession(ByteString clientId, ClientSession session) {
    headerChanges.put(clientId, new PutSession(clientId, session));
  }

  public void deleteSession(ByteString clientId) {
    headerChanges.put(clientId, new DeleteSession(clientId));
  }

  public void putResult(ByteString clientId, long sequence, SessionResult result) {
    resultChanges.add(new PutResult(clientId, sequence, result));
    keptResults.put(new ResultKey(clientId, sequence), result);
  }

  /** Stages the removal of the results of sequences in [{@code from}, {@code to}); nothing if empty. */
  public void deleteResults(ByteString clientId, long from, long to) {
    if (from < to) {
      DeleteResults drop = new DeleteResults(clientId, from, to);
      resultChanges.add(drop);
      droppedResults.add(drop);
      keptResults.keySet().removeIf(k -> k.clientId().equals(clientId) && k.sequence() >= from && k.sequence() < to);
    }
  }

  /** Whether this set keeps or drops the result of {@code clientId}'s write {@code sequence}. */
  public boolean decidesResult(ByteString clientId, long sequence) {
    return keptResults.containsKey(new ResultKey(clientId, sequence)) || droppedResults.stream()
        .anyMatch(d -> d.clientId().equals(clientId) && sequence >= d.from() && sequence < d.to());
  }

  /** The result of {@code clientId}'s write {@code sequence} as this set leaves it: kept, or empty if dropped. */
  public Optional<SessionResult> stagedResult(ByteString clientId, long sequence) {
    return Optional.ofNullable(keptResults.get(new ResultKey(clientId, sequence)));
  }

  /** The changes to commit: the kept results' in staged order, then each session header's last. */
  public List<Change> changes() {
    List<Change> all = new ArrayList<>(resultChanges.size() + headerChanges.size());
    all.addAll(resultChanges);
    all.addAll(headerChanges.values());
    return Collections.unmodifiableList(all);
  }
}
