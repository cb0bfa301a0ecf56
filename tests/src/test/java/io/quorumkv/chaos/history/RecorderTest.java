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
  void refusesASecondCompletion() {
    Recorder.Pending p = recorder.invoke(0, OpType.GET, "k", null, 0);
    p.ok("v", 1, null);
    assertThatThrownBy(() -> p.fail("again", null)).isInstanceOf(IllegalStateException.class);
  }
}
