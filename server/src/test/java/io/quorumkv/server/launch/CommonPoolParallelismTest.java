package io.quorumkv.server.launch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CommonPoolParallelismTest {
  private String saved;

  @BeforeEach
  void save() {
    saved = System.getProperty(CommonPoolParallelism.PROPERTY);
    System.clearProperty(CommonPoolParallelism.PROPERTY);
  }

  @AfterEach
  void restore() {
    if (saved == null) {
      System.clearProperty(CommonPoolParallelism.PROPERTY);
    } else {
      System.setProperty(CommonPoolParallelism.PROPERTY, saved);
    }
  }

  @Test
  void raisesTheParallelismOnlyWhereTheDefaultWouldBeTooSmall() {
    CommonPoolParallelism.ensureMinimum();

    boolean defaultTooSmall = Runtime.getRuntime().availableProcessors() - 1 < CommonPoolParallelism.MINIMUM;
    assertThat(System.getProperty(CommonPoolParallelism.PROPERTY))
        .isEqualTo(defaultTooSmall ? Integer.toString(CommonPoolParallelism.MINIMUM) : null);
  }

  @Test
  void keepsAnExplicitSetting() {
    System.setProperty(CommonPoolParallelism.PROPERTY, "1");

    CommonPoolParallelism.ensureMinimum();

    assertThat(System.getProperty(CommonPoolParallelism.PROPERTY)).isEqualTo("1");
  }
}
