package io.quorumkv.statemachine.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.ClientSession;
import io.quorumkv.proto.internal.SessionResult;
import org.junit.jupiter.api.Test;

class SessionWritesTest {
  private static final ByteString A = ByteString.copyFromUtf8("client-a");
  private static final ByteString B = ByteString.copyFromUtf8("client-b");

  private static ClientSession header(long highest) {
    return ClientSession.newBuilder().setHighestSequence(highest).build();
  }

  private static SessionResult result(long index) {
    return SessionResult.newBuilder().setIndex(index).build();
  }

  @Test
  void onlyTheLastHeaderChangeOfEachClientIsCommitted() {
    SessionWrites writes = new SessionWrites();
    writes.putSession(A, header(1));
    writes.putSession(B, header(7));
    writes.putSession(A, header(2));
    writes.deleteSession(B);
    writes.putSession(A, header(3));

    assertThat(writes.changes()).containsExactly(
        new SessionWrites.PutSession(A, header(3)),
        new SessionWrites.DeleteSession(B));
  }

  @Test
  void aSessionExpiredAndReopenedInOneEntryEndsOpen() {
    SessionWrites writes = new SessionWrites();
    writes.putSession(A, header(4));
    writes.deleteSession(A);
    writes.putSession(A, header(1));

    assertThat(writes.changes()).containsExactly(new SessionWrites.PutSession(A, header(1)));
  }

  @Test
  void resultChangesKeepTheirOrderBeforeTheHeaders() {
    SessionWrites writes = new SessionWrites();
    writes.putResult(A, 5, result(10));
    writes.putSession(A, header(5));
    writes.deleteResults(A, 3, 6);
    writes.putResult(A, 6, result(11));
    writes.putSession(A, header(6));

    assertThat(writes.changes()).containsExactly(
        new SessionWrites.PutResult(A, 5, result(10)),
        new SessionWrites.DeleteResults(A, 3, 6),
        new SessionWrites.PutResult(A, 6, result(11)),
        new SessionWrites.PutSession(A, header(6)));
    assertThat(writes.stagedResult(A, 5)).isEmpty();
    assertThat(writes.stagedResult(A, 6)).contains(result(11));
  }
}
