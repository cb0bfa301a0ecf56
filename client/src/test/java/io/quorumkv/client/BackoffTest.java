package io.quorumkv.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private static final long SEED = 42;

  private static Backoff backoff(Random random) {
    return new Backoff(Duration.ofMillis(25), Duration.ofSeconds(1), random);
  }

  @Test
  void ceilingDoublesFromBaseUpToCap() {
    Backoff backoff = backoff(new Random(SEED));
    assertThat(backoff.ceilingMillis(0)).isEqualTo(25);
    assertThat(backoff.ceilingMillis(1)).isEqualTo(50);
    assertThat(backoff.ceilingMillis(5)).isEqualTo(800);
    assertThat(backoff.ceilingMillis(6)).isEqualTo(1000);
    assertThat(backoff.ceilingMillis(1000)).isEqualTo(1000);
  }

  @Test
  void delaysAreFullyJitteredWithinTheCeiling() {
    System.out.println("BackoffTest seed " + SEED);
    Backoff backoff = backoff(new Random(SEED));
    for (int retry = 0; retry < 12; retry++) {
      Set<Long> seen = new HashSet<>();
      for (int i = 0; i < 200; i++) {
        long delay = backoff.delayMillis(retry);
        assertThat(delay).isBetween(0L, backoff.ceilingMillis(retry));
        seen.add(delay);
      }
      // Full jitter: spread over the whole range, including the lower half.
      assertThat(seen).hasSizeGreaterThan(10);
      assertThat(seen.stream().mapToLong(Long::longValue).min().orElseThrow())
          .isLessThan(backoff.ceilingMillis(retry) / 2);
    }
  }

  @Test
  void sameSeedGivesSameDelays() {
    Backoff a = backoff(new Random(SEED));
    Backoff b = backoff(new Random(SEED));
    for (int retry = 0; retry < 20; retry++) {
      assertThat(a.delayMillis(retry)).isEqualTo(b.delayMillis(retry));
    }
  }

  @Test
  void rejectsCapBelowBase() {
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), new Random()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
