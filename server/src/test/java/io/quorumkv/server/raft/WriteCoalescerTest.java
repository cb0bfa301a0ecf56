package io.quorumkv.server.raft;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.Command;
import io.quorumkv.proto.internal.CommandResult;
import io.quorumkv.proto.internal.PutOp;
import io.quorumkv.proto.internal.PutResult;
import io.quorumkv.proto.v1.ErrorCode;
import io.quorumkv.proto.v1.Value;
import io.quorumkv.server.config.WriteSettings;
import io.quorumkv.server.errors.KvError;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Which writes share an entry, and how outcomes and failures reach each write. */
class WriteCoalescerTest {

  /** Records every entry proposed and leaves it in flight until the test completes it. */
  private static final class RecordingProposer implements WriteProposer {
    final List<List<Command>> entries = new ArrayList<>();
    final List<CompletableFuture<List<WriteOutcome>>> inFlight = new ArrayList<>();

    @Override
    public synchronized CompletableFuture<WriteOutcome> write(Command.Builder write) {
      return writeCoalesced(List.of(write.build())).thenApply(outcomes -> outcomes.get(0));
    }

    @Override
    public synchronized CompletableFuture<List<WriteOutcome>> writeCoalesced(List<Command> writes) {
      entries.add(List.copyOf(writes));
      CompletableFuture<List<WriteOutcome>> entry = new CompletableFuture<>();
      inFlight.add(entry);
      return entry;
    }

    /** Applies entry {@code n} at log index 100 + n: each write is answered "created" iff its key is "new". */
    synchronized void apply(int n) {
      List<WriteOutcome> outcomes = new ArrayList<>();
      for (Command w : entries.get(n)) {
        boolean created = w.getPut().getKey().toStringUtf8().equals("new");
        outcomes.add(new WriteOutcome(CommandResult.newBuilder().setPut(PutResult.newBuilder().setCreated(created))
            .build(), 100 + n));
      }
      inFlight.get(n).complete(outcomes);
    }
  }

  private static Command.Builder put(String key, int valueBytes) {
    return Command.newBuilder().setPut(PutOp.newBuilder().setKey(ByteString.copyFromUtf8(key))
        .setValue(Value.newBuilder().setBytes(ByteString.copyFrom(new byte[valueBytes]))));
  }

  private static List<String> keys(List<Command> entry) {
    return entry.stream().map(c -> c.getPut().getKey().toStringUtf8()).toList();
  }

  @Test
  void aLoneWriteGoesAtOnceAndWritesArrivingMeanwhileShareTheNextEntry() throws Exception {
    RecordingProposer proposer = new RecordingProposer();
    WriteCoalescer coalescer = new WriteCoalescer(proposer, new WriteSettings(1, 100, 1000), 1 << 20, Runnable::run);

    CompletableFuture<WriteOutcome> first = coalescer.write(put("new", 1));
    assertThat(proposer.entries).hasSize(1);
    List<CompletableFuture<WriteOutcome>> later = new ArrayList<>();
    for (String k : List.of("a", "new", "b")) {
      later.add(coalescer.write(put(k, 1)));
    }
    assertThat(proposer.entries).as("the slot is taken: the others wait").hasSize(1);
    assertThat(coalescer.queuedWrites()).isEqualTo(3);

    proposer.apply(0);
    assertThat(first.get(1, TimeUnit.SECONDS)).isEqualTo(new WriteOutcome(
        CommandResult.newBuilder().setPut(PutResult.newBuilder().setCreated(true)).build(), 100));
    assertThat(proposer.entries).hasSize(2);
    assertThat(keys(proposer.entries.get(1))).containsExactly("a", "new", "b");

    proposer.apply(1);
    assertThat(later).extracting(f -> f.get(1, TimeUnit.SECONDS).result().getPut().getCreated())
        .containsExactly(false, true, false);
    assertThat(later).extracting(f -> f.get(1, TimeUnit.SECONDS).logIndex()).containsOnly(101L);
  }

  @Test
  void entriesAreBoundedByCountAndBySize() {
    RecordingProposer proposer = new RecordingProposer();
    WriteCoalescer coalescer = new WriteCoalescer(proposer, new WriteSettings(1, 3, 1000), 1024 + 2500, Runnable::run);
    coalescer.write(put("first", 1));
    for (int i = 0; i < 5; i++) {
      coalescer.write(put("small" + i, 10));
    }
    coalescer.write(put("big1", 1000));
    coalescer.write(put("big2", 1000));
    coalescer.write(put("big3", 1000));

    proposer.apply(0);
    assertThat(keys(proposer.entries.get(1))).containsExactly("small0", "small1", "small2");
    proposer.apply(1);
    assertThat(keys(proposer.entries.get(2))).containsExactly("small3", "small4", "big1");
    proposer.apply(2);
    assertThat(keys(proposer.entries.get(3))).as("two 1 KB writes fill 2.5 KB").containsExactly("big2", "big3");
  }

  @Test
  void aFullQueueRefusesAtOnceWithOverloaded() {
    RecordingProposer proposer = new RecordingProposer();
    WriteCoalescer coalescer = new WriteCoalescer(proposer, new WriteSettings(1, 10, 2), 1 << 20, Runnable::run);
    coalescer.write(put("in-flight", 1));
    coalescer.write(put("q1", 1));
    coalescer.write(put("q2", 1));

    CompletableFuture<WriteOutcome> refused = coalescer.write(put("q3", 1));
    assertThat(refused).isCompletedExceptionally();
    assertThat(catchKvError(refused).code()).isEqualTo(ErrorCode.OVERLOADED);
    assertThat(proposer.entries).hasSize(1);
  }

  @Test
  void aFailedEntryFailsEachOfItsWritesAndTheNextEntryStillGoes() throws Exception {
    RecordingProposer proposer = new RecordingProposer();
    WriteCoalescer coalescer = new WriteCoalescer(proposer, new WriteSettings(1, 10, 100), 1 << 20, Runnable::run);
    coalescer.write(put("x", 1));
    CompletableFuture<WriteOutcome> a = coalescer.write(put("a", 1));
    CompletableFuture<WriteOutcome> b = coalescer.write(put("b", 1));
    proposer.apply(0);
    coalescer.write(put("c", 1));

    proposer.inFlight.get(1).completeExceptionally(new KvError(ErrorCode.NOT_LEADER, "lost leadership"));
    assertThat(catchKvError(a).code()).isEqualTo(ErrorCode.NOT_LEADER);
    assertThat(catchKvError(b).code()).isEqualTo(ErrorCode.NOT_LEADER);
    assertThat(keys(proposer.entries.get(2))).containsExactly("c");
  }

  @Test
  void moreSlotsInFlightProposeMoreEntriesAtOnce() {
    RecordingProposer proposer = new RecordingProposer();
    WriteCoalescer coalescer = new WriteCoalescer(proposer, new WriteSettings(2, 10, 100), 1 << 20, Runnable::run);
    coalescer.write(put("a", 1));
    coalescer.write(put("b", 1));
    coalescer.write(put("c", 1));
    coalescer.write(put("d", 1));

    assertThat(proposer.entries).extracting(WriteCoalescerTest::keys).containsExactly(List.of("a"), List.of("b"));
    proposer.apply(1);
    assertThat(keys(proposer.entries.get(2))).containsExactly("c", "d");
  }

  @Test
  void anEntryNeverAnsweredTimesOutAndFreesItsSlot() throws Exception {
    RecordingProposer proposer = new RecordingProposer();
    WriteCoalescer coalescer =
        new WriteCoalescer(proposer, new WriteSettings(1, 10, 100), 1 << 20, Runnable::run, 200);
    CompletableFuture<WriteOutcome> stuck = coalescer.write(put("stuck", 1));
    CompletableFuture<WriteOutcome> waiting = coalescer.write(put("new", 1));

    Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> stuck.get(5, TimeUnit.SECONDS));
    assertThat(failure).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(java.util.concurrent.TimeoutException.class);
    synchronized (proposer) {
      assertThat(proposer.entries).as("the next entry went once the slot was freed").hasSize(2);
    }
    proposer.apply(1);
    assertThat(waiting.get(5, TimeUnit.SECONDS).result().getPut().getCreated()).isTrue();
  }

  private static KvError catchKvError(CompletableFuture<?> future) {
    try {
      future.get(1, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      assertThat(cause).isInstanceOf(KvError.class);
      return (KvError) cause;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("expected a failure, got a result");
  }
}
