package io.quorumkv.chaos.checker;

import static io.quorumkv.chaos.history.Outcome.FAIL;
import static io.quorumkv.chaos.history.Outcome.OK;
import static io.quorumkv.chaos.history.Outcome.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ExactlyOnceCheckerTest {
  private final ExactlyOnceChecker checker = new ExactlyOnceChecker(k -> k.startsWith("c/"));

  /**
   * c/0: #0 acknowledged (1 at index 10) and re-sent twice, once after the run; #1 unknown, resolved by its
   * second re-send (2 at 11); #2 acknowledged (3 at 12); #3 failed before it was ordered; and an increment
   * of a key that is not a counter.
   */
  private Histories history() {
    return new Histories()
        .writeIncr(0, "c/0", 1, 0, 1, OK, 1L, 10, null)
        .writeIncr(1, "c/0", 1, 0, 5, UNKNOWN, null, 0, "DEADLINE_EXCEEDED from h:1")
        .writeIncr(0, "c/0", 1, 6, 7, OK, 3L, 12, null)
        .writeIncr(0, "c/0", 1, 8, 9, FAIL, null, 0, "UNAVAILABLE NOT_LEADER from h:2")
        .writeIncr(2, "r/0", 1, 0, 1, OK, 7L, 13, null)
        .resend(0, 20, 21, OK, 1L, 10, null, false)
        .resend(1, 22, 25, UNKNOWN, null, 0, "LEADER_NOT_READY", false)
        .resend(1, 30, 31, OK, 2L, 11, null, true)
        .resend(0, 32, 33, OK, 1L, 10, null, true);
  }

  @Test
  void acceptsResendsAnsweredLikeTheFirstAckAndAFinalValueEqualToTheAcknowledgedSum() {
    CheckResult r = checker.check(history().build(), Map.of("c/0", "3"));
    assertThat(r.violations()).isEmpty();
    assertThat(r.checked()).isEqualTo(4);
    assertThat(r.notes()).singleElement().asString().contains("add up to 3").contains("1 of them only by a re-send");
  }

  @Test
  void rejectsAResendAnsweredWithAnotherValueOrIndex() {
    CheckResult value = checker.check(history().resend(2, 40, 41, OK, 4L, 12, null, true).build(), Map.of("c/0", "3"));
    assertThat(value.violations()).singleElement().satisfies(v -> assertThat(v.description())
        .contains("answered 4 at index 12").contains("first acknowledged with 3 at index 12"));
    CheckResult index = checker.check(history().resend(1, 40, 41, OK, 2L, 14, null, true).build(), Map.of("c/0", "3"));
    assertThat(index.violations()).singleElement().satisfies(v -> assertThat(v.evidence()).extracting(o -> o.id())
        .containsExactly(1L));
  }

  @Test
  void rejectsAFinalValueAboveOrBelowTheAcknowledgedSum() {
    assertThat(checker.check(history().build(), Map.of("c/0", "4")).violations()).singleElement()
        .satisfies(v -> assertThat(v.description()).contains("1 more: an increment was applied twice"));
    assertThat(checker.check(history().build(), Map.of("c/0", "2")).violations()).singleElement()
        .satisfies(v -> assertThat(v.description()).contains("1 less"));
    assertThat(checker.check(history().build(), Map.of()).passed()).isFalse();
    assertThat(checker.check(history().build(), Map.of("c/0", "three")).passed()).isFalse();
  }

  @Test
  void rejectsAnIncrementStillUnknownAfterTheResolutionPhase() {
    Histories h = new Histories()
        .writeIncr(0, "c/1", 1, 0, 1, OK, 1L, 10, null)
        .writeIncr(0, "c/1", 1, 2, 7, UNKNOWN, null, 0, "DEADLINE_EXCEEDED from h:1")
        .resend(1, 8, 11, UNKNOWN, null, 0, null, true);
    CheckResult r = checker.check(h.build(), Map.of("c/1", "1"));
    assertThat(r.violations()).singleElement().satisfies(v -> {
      assertThat(v.description()).contains("outcome still unknown");
      assertThat(v.evidence()).extracting(o -> o.id()).containsExactly(1L);
    });
  }

  @Test
  void rejectsEveryRefusalThatBreaksTheWriteIdContract() {
    for (String code : ExactlyOnceChecker.CONTRACT_REFUSALS) {
      CheckResult r = checker.check(history().resend(0, 40, 41, FAIL, null, 0, code, true).build(),
          Map.of("c/0", "3"));
      assertThat(r.violations()).as(code).singleElement()
          .satisfies(v -> assertThat(v.description()).contains("refused with " + code));
    }
    Histories refusedAtOnce = new Histories()
        .writeIncr(0, "c/2", 1, 0, 1, FAIL, null, 0, "FAILED_PRECONDITION SESSION_EXPIRED from h:1: no session");
    assertThat(checker.check(refusedAtOnce.build(), Map.of()).violations()).singleElement()
        .satisfies(v -> assertThat(v.description()).contains("first send was refused with SESSION_EXPIRED"));
  }

  @Test
  void rejectsValuesThatDoNotAddUpInLogOrder() {
    Histories swapped = new Histories()
        .writeIncr(0, "c/3", 1, 0, 1, OK, 2L, 10, null)
        .writeIncr(1, "c/3", 1, 0, 1, OK, 1L, 11, null);
    assertThat(checker.check(swapped.build(), Map.of("c/3", "2")).violations()).singleElement()
        .satisfies(v -> assertThat(v.description()).contains("index 10 answered 2"));
    // Coalesced into one entry: one index, applied in the order of their values.
    Histories coalesced = new Histories()
        .writeIncr(0, "c/3", 1, 0, 1, OK, 2L, 10, null)
        .writeIncr(1, "c/3", 1, 0, 1, OK, 1L, 10, null);
    assertThat(checker.check(coalesced.build(), Map.of("c/3", "2")).violations()).isEmpty();
    Histories sameValue = new Histories()
        .writeIncr(0, "c/3", 1, 0, 1, OK, 1L, 10, null)
        .writeIncr(1, "c/3", 1, 0, 1, OK, 1L, 10, null);
    assertThat(checker.check(sameValue.build(), Map.of("c/3", "2")).violations()).singleElement()
        .satisfies(v -> assertThat(v.description()).contains("index 10 answered 1"));
  }
}
