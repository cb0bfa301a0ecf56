package io.quorumkv.chaos.checker;

import static io.quorumkv.chaos.history.Outcome.FAIL;
import static io.quorumkv.chaos.history.Outcome.OK;
import static io.quorumkv.chaos.history.Outcome.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

import io.quorumkv.chaos.history.KeyWrite;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LostWritesCheckerTest {
  private final LostWritesChecker checker = new LostWritesChecker(k -> k.startsWith("u/"));

  private final Histories history = new Histories()
      .put(0, "u/0", "a", 0, 1, OK)
      .put(1, "u/1", "b", 0, 1, UNKNOWN)
      .put(2, "u/2", "c", 0, 1, FAIL)
      .put(3, "r/0", "x", 0, 1, OK)
      .batch(4, List.of(new KeyWrite("u/3", "d"), new KeyWrite("u/4", "e"), new KeyWrite("r/0", "y")), 2, 3, OK)
      .batch(5, List.of(new KeyWrite("u/5", "f"), new KeyWrite("u/6", "g")), 2, 3, UNKNOWN);

  @Test
  void acceptsEveryAcknowledgedWriteWithUnknownOnesPresentOrNot() {
    CheckResult r = checker.check(history.build(), Map.of("u/0", "a", "u/3", "d", "u/4", "e"));
    assertThat(r.violations()).isEmpty();
    assertThat(r.checked()).isEqualTo(7);
    assertThat(checker.check(history.build(),
        Map.of("u/0", "a", "u/1", "b", "u/3", "d", "u/4", "e", "u/5", "f", "u/6", "g")).passed()).isTrue();
  }

  @Test
  void rejectsALostWrite() {
    CheckResult r = checker.check(history.build(), Map.of("u/3", "d", "u/4", "e"));
    assertThat(r.violations()).extracting(Violation::checker, Violation::key)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(LostWritesChecker.LOST, "u/0"));
    assertThat(r.violations().get(0).evidence()).extracting(o -> o.id()).containsExactly(0L);
  }

  @Test
  void rejectsALostBatch() {
    CheckResult r = checker.check(history.build(), Map.of("u/0", "a"));
    assertThat(r.violations()).extracting(Violation::key).containsExactlyInAnyOrder("u/3", "u/4");
  }

  @Test
  void rejectsAnAcknowledgedWriteHoldingAnotherValue() {
    CheckResult r = checker.check(history.build(), Map.of("u/0", "zz", "u/3", "d", "u/4", "e"));
    assertThat(r.violations()).extracting(Violation::checker)
        .containsExactlyInAnyOrder(LostWritesChecker.LOST, LostWritesChecker.PHANTOM);
  }

  @Test
  void rejectsAKeyNeverWrittenAndAFailedWriteThatWasApplied() {
    CheckResult r = checker.check(history.build(),
        Map.of("u/0", "a", "u/3", "d", "u/4", "e", "u/2", "c", "u/9", "q"));
    assertThat(r.violations()).extracting(Violation::checker, Violation::key).containsExactlyInAnyOrder(
        org.assertj.core.groups.Tuple.tuple(LostWritesChecker.PHANTOM, "u/2"),
        org.assertj.core.groups.Tuple.tuple(LostWritesChecker.PHANTOM, "u/9"));
  }

  @Test
  void rejectsABatchAppliedInPart() {
    CheckResult r = checker.check(history.build(), Map.of("u/0", "a", "u/3", "d", "u/4", "e", "u/5", "f"));
    assertThat(r.violations()).extracting(Violation::checker).containsExactly(LostWritesChecker.PARTIAL_BATCH);
    assertThat(r.violations().get(0).evidence()).extracting(o -> o.id()).containsExactly(5L);
  }
}
