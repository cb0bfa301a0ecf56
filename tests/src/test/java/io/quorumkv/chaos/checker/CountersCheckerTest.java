package io.quorumkv.chaos.checker;

import static io.quorumkv.chaos.history.Outcome.FAIL;
import static io.quorumkv.chaos.history.Outcome.OK;
import static io.quorumkv.chaos.history.Outcome.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CountersCheckerTest {
  private final CountersChecker checker = new CountersChecker(k -> k.startsWith("c/"));

  /** c/0: 3 acknowledged, 2 unknown, 1 failed increment of 1. */
  private final Histories history = new Histories()
      .incr(0, "c/0", 1, 0, 1, OK, 1L)
      .incr(1, "c/0", 1, 2, 3, OK, 2L)
      .incr(2, "c/0", 1, 4, 5, OK, 3L)
      .incr(3, "c/0", 1, 6, 7, UNKNOWN, null)
      .incr(4, "c/0", 1, 6, 7, UNKNOWN, null)
      .incr(5, "c/0", 1, 6, 7, FAIL, null)
      .incr(0, "r/0", 1, 0, 1, OK, 1L);

  @Test
  void acceptsEveryValueFromAckedToAckedPlusUnknown() {
    for (int v = 3; v <= 5; v++) {
      CheckResult r = checker.check(history.build(), Map.of("c/0", Integer.toString(v)));
      assertThat(r.violations()).as("value %d", v).isEmpty();
      assertThat(r.checked()).isEqualTo(1);
    }
  }

  @Test
  void rejectsALostIncrement() {
    assertThat(checker.check(history.build(), Map.of("c/0", "2")).violations()).hasSize(1);
  }

  @Test
  void rejectsADoubleAppliedIncrement() {
    CheckResult r = checker.check(history.build(), Map.of("c/0", "6"));
    assertThat(r.violations()).extracting(Violation::key).containsExactly("c/0");
  }

  @Test
  void rejectsAnAbsentOrNonNumericCounter() {
    assertThat(checker.check(history.build(), Map.of()).passed()).isFalse();
    assertThat(checker.check(history.build(), Map.of("c/0", "four")).passed()).isFalse();
  }

  @Test
  void boundsNegativeUnknownDeltasFromBelow() {
    Histories h = new Histories().incr(0, "c/1", 5, 0, 1, OK, 5L).incr(1, "c/1", -2, 2, 3, UNKNOWN, null);
    assertThat(checker.check(h.build(), Map.of("c/1", "3")).passed()).isTrue();
    assertThat(checker.check(h.build(), Map.of("c/1", "2")).passed()).isFalse();
  }
}
