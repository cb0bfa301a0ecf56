package io.quorumkv.chaos.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RecorderTest {
  private final AtomicLong clock = new AtomicLong(1_000);
  private final Recorder recorder = new Recorder(clock::get);

  @Test
  void recordsInvocationAndCompletionTimesAndOutcomes() {
    Recorder.Pending put = recorder.invoke(0, OpType.PUT, "k", "v", 0);
    clock.addAndGet(5);
    put.ok(null, 7, "h:1");
    recorder.invoke(1, OpType.INCR, "c", null, 1).unknown("timeout", "h:2");
    History h = recorder.history();
    assertThat(h.originNanos()).isEqualTo(1_000);
    assertThat(h.operations()).hasSize(2);
    Operation first = h.operations().get(0);
    assertThat(first.invokeNanos()).isEqualTo(1_000);
    assertThat(first.completeNanos()).isEqualTo(1_005);
    assertThat(first.index()).isEqualTo(7);
    assertThat(h.countByOutcome()).containsEntry(Outcome.OK, 1L).containsEntry(Outcome.UNKNOWN, 1L)
        .containsEntry(Outcome.FAIL, 0L);
  }

  @Test
  void includesOperationsStillRunningAsUnknown() {
    recorder.invoke(0, OpType.PUT, "k", "v", 0);
    assertThat(recorder.history().operations()).singleElement()
        .satisfies(op -> assertThat(op.outcome()).isEqualTo(Outcome.UNKNOWN));
  }

  @Test
  void keepsTheWriteIdOfAnIncrementAndItsResendsApartFromTheOperations() {
    WriteIdentity id = new WriteIdentity("00112233445566778899aabbccddeeff", 1);
    Recorder.Pending incr = recorder.invoke(0, OpType.INCR, "c", null, 1, id);
    incr.ok("1", 40, "h:1");
    clock.addAndGet(10);
    recorder.resent(new Resend(incr.id(), 0, "c", 1, id, recorder.now(), recorder.now() + 2, Outcome.OK, "1", 40,
        "h:2", null, null, false));
    History h = recorder.history();
    assertThat(h.operations()).singleElement().satisfies(op -> {
      assertThat(op.writeId()).isEqualTo(id);
      assertThat(op.describe(h.originNanos())).contains("00112233#1 at 40");
    });
    assertThat(h.resends()).singleElement().satisfies(r -> assertThat(r.operationId()).isEqualTo(incr.id()));
    assertThat(h.countByOutcome()).containsEntry(Outcome.OK, 1L);
    assertThat(recorder.resendsSoFar()).isEqualTo(1);
  }

  @Test
  void refusesASecondCompletion() {
    Recorder.Pending p = recorder.invoke(0, OpType.GET, "k", null, 0);
    p.ok("v", 1, null);
    assertThatThrownBy(() -> p.fail("again", null)).isInstanceOf(IllegalStateException.class);
  }
}
