package io.quorumkv.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointRouterTest {
  private final EndpointRouter router = new EndpointRouter(List.of("a:1", "b:1", "c:1"));

  @Test
  void startsWithTheFirstEndpoint() {
    assertThat(router.preferred()).isEqualTo("a:1");
  }

  @Test
  void nextRotatesRoundRobinAndMovesThePreference() {
    assertThat(router.next("a:1")).isEqualTo("b:1");
    assertThat(router.next("b:1")).isEqualTo("c:1");
    assertThat(router.next("c:1")).isEqualTo("a:1");
    assertThat(router.preferred()).isEqualTo("a:1");
  }

  @Test
  void nextKeepsAPreferenceAnotherCallAlreadyChanged() {
    router.redirect("c:1");
    // A slow call that failed on a:1 must not override the leader the other call learned.
    assertThat(router.next("a:1")).isEqualTo("c:1");
    assertThat(router.preferred()).isEqualTo("c:1");
  }

  @Test
  void redirectLearnsUnknownLeaders() {
    assertThat(router.redirect("d:1")).isEqualTo("d:1");
    assertThat(router.preferred()).isEqualTo("d:1");
    assertThat(router.endpoints()).containsExactly("a:1", "b:1", "c:1", "d:1");
    router.redirect("b:1");
    assertThat(router.endpoints()).containsExactly("a:1", "b:1", "c:1", "d:1");
    assertThat(router.next("d:1")).isEqualTo("b:1");
  }
}
