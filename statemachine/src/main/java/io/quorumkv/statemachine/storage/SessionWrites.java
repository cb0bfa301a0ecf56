package io.quorumkv.statemachine.storage;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.ClientSession;
import io.quorumkv.proto.internal.SessionResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The client-session changes one log entry makes, committed in the same atomic write as its key
 * mutations. Changes are kept in the order they were staged, and applied in that order.
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

  private final List<Change> changes = new ArrayList<>();

  public void putSession(ByteString clientId, ClientSession session) {
    changes.add(new PutSession(clientId, session));
  }

  public void deleteSession(ByteString clientId) {
    changes.add(new DeleteSession(clientId));
  }

  public void putResult(ByteString clientId, long sequence, SessionResult result) {
    changes.add(new PutResult(clientId, sequence, result));
  }

  /** Stages the removal of the results of sequences in [{@code from}, {@code to}); nothing if empty. */
  public void deleteResults(ByteString clientId, long from, long to) {
    if (from < to) {
      changes.add(new DeleteResults(clientId, from, to));
    }
  }

  public List<Change> changes() {
    return Collections.unmodifiableList(changes);
  }
}
