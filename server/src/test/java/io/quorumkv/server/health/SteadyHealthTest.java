package io.quorumkv.server.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.quorumkv.server.health.HealthRules.Verdict;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SteadyHealthTest {
  private static final Verdict GOOD = new Verdict(List.of(), List.of(), true, true);
  private static final Verdict SILENCE = new Verdict(List.of("no word from the leader for 2400 ms"),
      List.of("no word from the leader for 2400 ms"), true, true);
  private static final Verdict NO_LEADER = new Verdict(List.of("no leader known"), List.of("no leader known"),
      false, false);
  private static final Verdict INDEX_LAG = new Verdict(List.of(),
      List.of("search indexes are 1500 log entries behind the applied index"), true, true);
  private static final Verdict INDEX_BUILDING = new Verdict(List.of(), List.of("index docs is BUILDING"), true,
      false);

  private static SteadyHealth serving() {
    SteadyHealth steady = new SteadyHealth();
    steady.next(GOOD);
    assertThat(steady.next(GOOD).serving()).as("two good checks after the start").isTrue();
    return steady;
  }

  @Test
  void aMemberStartsServingAfterTwoGoodChecks() {
    SteadyHealth steady = new SteadyHealth();
    Verdict first = steady.next(GOOD);
    assertThat(first.servesKv()).isFalse();
    assertThat(first.kvReasons()).containsExactly("recovering: serving again once 2 checks in a row pass (was:"
        + " starting)");
    assertThat(steady.next(GOOD).serving()).isTrue();
  }

  @Test
  void aDelayStopsServingOnlyWhenTwoChecksInARowSeeIt() {
    SteadyHealth steady = serving();
    assertThat(steady.next(SILENCE).servesKv()).as("one check over the limit").isTrue();
    assertThat(steady.next(GOOD).servesKv()).isTrue();
    assertThat(steady.next(SILENCE).servesKv()).isTrue();
    Verdict second = steady.next(SILENCE);
    assertThat(second.servesKv()).isFalse();
    assertThat(second.kvReasons()).containsExactly("no word from the leader for 2400 ms");
  }

  @Test
  void aStateStopsServingAtOnce() {
    SteadyHealth steady = serving();
    Verdict noLeader = steady.next(NO_LEADER);
    assertThat(noLeader.servesKv()).isFalse();
    assertThat(noLeader.searchReasons()).containsExactly("no leader known");
    Verdict removed = serving().next(Verdict.notServing("member n1 was removed from the cluster"));
    assertThat(removed.serving()).isFalse();
  }

  @Test
  void servingResumesAfterTwoGoodChecksInARow() {
    SteadyHealth steady = serving();
    steady.next(NO_LEADER);
    Verdict recovering = steady.next(GOOD);
    assertThat(recovering.servesKv()).isFalse();
    assertThat(recovering.kvReasons()).containsExactly(
        "recovering: serving again once 2 checks in a row pass (was: no leader known)");
    assertThat(steady.next(SILENCE).servesKv()).as("the streak is broken").isFalse();
    assertThat(steady.next(GOOD).servesKv()).isFalse();
    assertThat(steady.next(GOOD).serving()).isTrue();
  }

  @Test
  void searchesAreSteadiedApartFromKeyValueRequests() {
    SteadyHealth steady = serving();
    Verdict lagOnce = steady.next(INDEX_LAG);
    assertThat(lagOnce.serving()).isTrue();
    Verdict lagTwice = steady.next(INDEX_LAG);
    assertThat(lagTwice.servesKv()).isTrue();
    assertThat(lagTwice.serving()).isFalse();
    assertThat(lagTwice.searchReasons()).containsExactly("search indexes are 1500 log entries behind the applied"
        + " index");
    Verdict building = serving().next(INDEX_BUILDING);
    assertThat(building.servesKv()).isTrue();
    assertThat(building.serving()).as("an index not READY is a state").isFalse();
  }

  @Test
  void aDelayBlinkingOnAndOffNeverFlapsTheStatus() {
    SteadyHealth steady = serving();
    for (int i = 0; i < 20; i++) {
      assertThat(steady.next(i % 2 == 0 ? SILENCE : GOOD).serving()).as("check %d", i).isTrue();
    }
  }

  @Test
  void thePublishedVerdictIsConsistentWhateverTheChecksSee() {
    long seed = new Random().nextLong();
    System.out.println("SteadyHealthTest seed " + seed);
    Random random = new Random(seed);
    List<Verdict> kinds = List.of(GOOD, SILENCE, NO_LEADER, INDEX_LAG, INDEX_BUILDING);
    SteadyHealth steady = new SteadyHealth();
    Verdict previous = null;
    for (int i = 0; i < 10_000; i++) {
      Verdict observed = kinds.get(random.nextInt(kinds.size()));
      Verdict published = steady.next(observed);
      String at = "seed " + seed + ", check " + i;
      assertThat(!published.serving() || published.servesKv()).as(at + ": serves all only if it serves kv").isTrue();
      assertThat(published.kvReasons().isEmpty()).as(at).isEqualTo(published.servesKv());
      if (!observed.kvDelaysOnly() && !observed.servesKv()) {
        assertThat(published.servesKv()).as(at + ": a state stops kv at once").isFalse();
      }
      if (previous != null && published.servesKv() && !previous.servesKv()) {
        assertThat(observed.servesKv()).as(at + ": resumes only on a good check").isTrue();
      }
      previous = published;
    }
  }
}
