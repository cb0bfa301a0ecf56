package io.quorumkv.statemachine.storage;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.ClientSession;
import io.quorumkv.proto.internal.SessionResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The client-session changes one log entry makes, committed in the same atomic write as its key
 * mutations. Changes are kept in the order they were staged, and applied in that order. Until then, the
 * set also answers what it makes of a write's kept result ({@link #decidesResult}, {@link #stagedResult}),
 * so that later writes of the same entry see the earlier ones.
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

  private final List<Change> changes = new ArrayList<>();
  /** The results kept by this set and not dropped again by a later change of it. */
  private final Map<ResultKey, SessionResult> keptResults = new HashMap<>();
  private final List<DeleteResults> droppedResults = new ArrayList<>();

  public void putSession(ByteString clientId, ClientSession session) {
    changes.add(new PutSession(clientId, session));
  }

  public void deleteSession(ByteString clientId) {
    changes.add(new DeleteSession(clientId));
  }

  public void putResult(ByteString clientId, long sequence, SessionResult result) {
    changes.add(new PutResult(clientId, sequence, result));
    keptResults.put(new ResultKey(clientId, sequence), result);
  }

  /** Stages the removal of the results of sequences in [{@code from}, {@code to}); nothing if empty. */
  public void deleteResults(ByteString clientId, long from, long to) {
    if (from < to) {
      DeleteResults drop = new DeleteResults(clientId, from, to);
      changes.add(drop);
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

  public List<Change> changes() {
    return Collections.unmodifiableList(changes);
  }
}
