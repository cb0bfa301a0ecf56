package io.quorumkv.chaos.checker;

import static io.quorumkv.chaos.history.Outcome.FAIL;
import static io.quorumkv.chaos.history.Outcome.OK;
import static io.quorumkv.chaos.history.Outcome.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

import io.quorumkv.chaos.history.History;
import io.quorumkv.chaos.history.KeyWrite;
import io.quorumkv.chaos.history.Operation;
import io.quorumkv.tests.TestSeeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LinearizabilityCheckerTest {
  private final LinearizabilityChecker checker = new LinearizabilityChecker(1_000_000, 2_000);

  private CheckResult check(Histories h) {
    return checker.check(h.build());
  }

  private static List<Long> evidenceIds(CheckResult r) {
    return r.violations().get(0).evidence().stream().map(Operation::id).toList();
  }

  @Test
  void acceptsSequentialReadsOfTheLastWrite() {
    CheckResult r = check(new Histories()
        .get(0, "k", null, 0, 1)
        .put(0, "k", "1", 2, 3, OK)
        .get(1, "k", "1", 4, 5)
        .delete(0, "k", 6, 7, OK)
        .get(1, "k", null, 8, 9));
    assertThat(r.passed()).as(r.toString()).isTrue();
    assertThat(r.checked()).isEqualTo(1);
  }

  @Test
  void acceptsAReadConcurrentWithAWriteSeeingEitherValue() {
    assertThat(check(new Histories()
        .put(0, "k", "1", 0, 1, OK)
        .put(0, "k", "2", 2, 10, OK)
        .get(1, "k", "1", 3, 4)
        .get(2, "k", "2", 5, 6)).passed()).isTrue();
  }

  @Test
  void rejectsAStaleRead() {
    CheckResult r = check(new Histories()
        .put(0, "k", "1", 0, 1, OK)
        .put(0, "k", "2", 2, 3, OK)
        .get(1, "k", "1", 4, 5));
    assertThat(r.passed()).isFalse();
    assertThat(r.violations().get(0).key()).isEqualTo("k");
    assertThat(evidenceIds(r)).containsExactly(0L, 1L, 2L);
  }

  @Test
  void rejectsAReadOfAValueNeverWritten() {
    CheckResult r = check(new Histories()
        .put(0, "k", "1", 0, 1, OK)
        .get(1, "k", "1", 2, 3)
        .get(1, "k", "99", 4, 5)
        .get(1, "k", "1", 6, 7));
    assertThat(r.passed()).isFalse();
    assertThat(evidenceIds(r)).containsExactly(2L);
  }

  @Test
  void rejectsAReadOfAWriteThatFailed() {
    assertThat(check(new Histories()
        .put(0, "k", "1", 0, 1, FAIL)
        .get(1, "k", "1", 2, 3)).passed()).isFalse();
  }

  @Test
  void rejectsAReadOfAValueBeforeItsWriteWasInvoked() {
    assertThat(check(new Histories()
        .get(1, "k", "1", 0, 1)
        .put(0, "k", "1", 2, 3, OK)).passed()).isFalse();
  }

  @Test
  void rejectsAValueThatComesBackAfterItWasOverwritten() {
    // 1 then 2 then 1 again, with no second write of 1: reads must not go back in time.
    CheckResult r = check(new Histories()
        .put(0, "k", "1", 0, 10, OK)
        .put(1, "k", "2", 0, 10, OK)
        .get(2, "k", "2", 11, 12)
        .get(3, "k", "1", 13, 14));
    assertThat(r.passed()).isFalse();
  }

  @Test
  void acceptsUnknownWritesThatTookEffectOrNot() {
    assertThat(check(new Histories()
        .put(0, "k", "1", 0, 1, OK)
        .put(1, "k", "2", 2, 3, UNKNOWN)
        .get(2, "k", "1", 4, 5)
        .get(2, "k", "2", 100, 101)).passed()).as("took effect late, after its client gave up").isTrue();
    assertThat(check(new Histories()
        .put(0, "k", "1", 0, 1, OK)
        .put(1, "k", "2", 2, 3, UNKNOWN)
        .get(2, "k", "1", 100, 101)).passed()).as("never took effect").isTrue();
  }

  @Test
  void rejectsAnUnknownWriteSeenBeforeItWasInvoked() {
    assertThat(check(new Histories()
        .get(2, "k", "2", 0, 1)
        .put(1, "k", "2", 2, 3, UNKNOWN)).passed()).isFalse();
  }

  @Test
  void acceptsIncrementsReturningConsecutiveValues() {
    assertThat(check(new Histories()
        .incr(0, "c", 1, 0, 10, OK, 2L)
        .incr(1, "c", 1, 1, 9, OK, 1L)
        .incr(2, "c", 1, 11, 12, OK, 3L)
        .get(0, "c", "3", 13, 14)).passed()).isTrue();
  }

  @Test
  void rejectsADoubleAppliedIncrement() {
    CheckResult r = check(new Histories()
        .incr(0, "c", 1, 0, 1, OK, 1L)
        .incr(1, "c", 1, 2, 3, OK, 2L)
        .get(0, "c", "3", 4, 5));
    assertThat(r.passed()).isFalse();
    assertThat(evidenceIds(r)).contains(2L);
  }

  @Test
  void rejectsTwoIncrementsReturningTheSameValue() {
    assertThat(check(new Histories()
        .incr(0, "c", 1, 0, 10, OK, 1L)
        .incr(1, "c", 1, 0, 10, OK, 1L)).passed()).isFalse();
  }

  @Test
  void acceptsUnknownIncrementsInAnyNumberThatExplainTheReads() {
    Histories h = new Histories().incr(0, "c", 1, 0, 1, OK, 1L);
    for (int p = 1; p <= 30; p++) {
      h.incr(p, "c", 1, 2, 3, UNKNOWN, null);
    }
    h.incr(0, "c", 1, 10, 11, OK, 13L).get(0, "c", "13", 12, 13).get(0, "c", "20", 14, 15);
    assertThat(check(h).passed()).isTrue();
  }

  @Test
  void rejectsMoreIncrementsThanWereInvoked() {
    Histories h = new Histories().incr(0, "c", 1, 0, 1, OK, 1L);
    for (int p = 1; p <= 30; p++) {
      h.incr(p, "c", 1, 2, 3, UNKNOWN, null);
    }
    h.get(0, "c", "32", 12, 13);
    assertThat(check(h).passed()).isFalse();
  }

  @Test
  void modelsABatchAsAWriteOfEachKeyItTouches() {
    assertThat(check(new Histories()
        .put(0, "a", "1", 0, 1, OK)
        .batch(1, List.of(new KeyWrite("a", "2"), new KeyWrite("b", "3"), new KeyWrite("a", null)), 2, 3, OK)
        .get(2, "a", null, 4, 5)
        .get(2, "b", "3", 4, 5)).passed()).isTrue();
    CheckResult r = check(new Histories()
        .put(0, "a", "1", 0, 1, OK)
        .batch(1, List.of(new KeyWrite("a", null), new KeyWrite("b", "3")), 2, 3, OK)
        .get(2, "a", "1", 4, 5));
    assertThat(r.passed()).isFalse();
    assertThat(r.violations().get(0).key()).isEqualTo("a");
  }

  @Test
  void checksEachKeyOnItsOwn() {
    CheckResult r = check(new Histories()
        .put(0, "a", "1", 0, 1, OK)
        .put(0, "b", "1", 0, 1, OK)
        .put(0, "b", "2", 2, 3, OK)
        .get(1, "a", "1", 4, 5)
        .get(1, "b", "1", 4, 5));
    assertThat(r.checked()).isEqualTo(2);
    assertThat(r.violations()).extracting(Violation::key).containsExactly("b");
  }

  @Test
  void shrinksALongHistoryToTheOperationsThatShowTheStaleRead() {
    Histories h = new Histories();
    long t = 0;
    for (int i = 0; i < 300; i++, t += 10) {
      h.put(i % 4, "k", "v" + i, t, t + 5, OK).get(4, "k", "v" + i, t + 6, t + 8);
    }
    h.put(0, "k", "last", t, t + 1, OK).get(1, "k", "v299", t + 2, t + 3);
    for (int i = 0; i < 50; i++, t += 10) {
      h.put(i % 4, "k", "w" + i, t + 10, t + 15, OK);
    }
    CheckResult r = check(h);
    assertThat(r.passed()).isFalse();
    assertThat(evidenceIds(r)).containsExactly(598L, 600L, 601L);
  }

  @Test
  void acceptsRandomHistoriesOfASequentialRegisterWithOverlapsAndUnknowns() {
    long seed = TestSeeds.seed("LinearizabilityCheckerTest.acceptsRandomHistories");
    Random random = new Random(seed);
    for (int round = 0; round < 50; round++) {
      History history = RandomRegister.history(random, 200);
      CheckResult r = checker.check(history);
      assertThat(r.passed()).as("seed %d round %d: %s", seed, round, r.violations()).isTrue();
    }
  }

  /**
   * Simulates a correct register: each operation takes effect at one random instant inside its interval,
   * in instant order; some outcomes are then hidden (unknown) or the operation dropped before taking
   * effect (failed).
   */
  private static final class RandomRegister {
    static History history(Random random, int count) {
      long[] effect = new long[count];
      for (int i = 0; i < count; i++) {
        effect[i] = random.nextInt(count * 10);
      }
      Arrays.sort(effect);
      String state = null;
      List<Operation> ops = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        long from = effect[i] - random.nextInt(40);
        long to = effect[i] + random.nextInt(40);
        int kind = random.nextInt(5);
        String key = "k";
        double fate = random.nextDouble();
        io.quorumkv.chaos.history.Outcome outcome = fate < 0.1 ? FAIL : fate < 0.2 ? UNKNOWN : OK;
        boolean applied = outcome == OK || (outcome == UNKNOWN && random.nextBoolean());
        Operation op;
        switch (kind) {
          case 0 -> {
            String v = Long.toString(1_000_000L * (i + 1)); // integers, so that INCR applies to them
            if (applied) {
              state = v;
            }
            op = op(i, io.quorumkv.chaos.history.OpType.PUT, key, v, 0, from, to, outcome, null);
          }
          case 1 -> {
            if (applied) {
              state = null;
            }
            op = op(i, io.quorumkv.chaos.history.OpType.DELETE, key, null, 0, from, to, outcome, null);
          }
          case 2 -> {
            long next = (state == null ? 0 : Long.parseLong(state)) + 1;
            String result = Long.toString(next);
            if (applied) {
              state = result;
            }
            op = op(i, io.quorumkv.chaos.history.OpType.INCR, key, null, 1, from, to, outcome, result);
          }
          default -> op = op(i, io.quorumkv.chaos.history.OpType.GET, key, null, 0, from, to,
              outcome == UNKNOWN ? FAIL : outcome, state);
        }
        ops.add(op);
      }
      return new History(0, ops);
    }

    private static Operation op(long id, io.quorumkv.chaos.history.OpType type, String key, String value,
        long delta, long from, long to, io.quorumkv.chaos.history.Outcome outcome, String result) {
      return new Operation(id, (int) id, type, key, value, delta, List.of(), from * 1_000_000, to * 1_000_000,
          outcome, outcome == OK ? result : null, 0, null, null);
    }
  }
}
