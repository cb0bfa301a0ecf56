package io.quorumkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The archive's recording run must take the path of a successful call, or the archive misses it. */
class CdsTrainingTest {
  @Test
  void theRecordedGetSucceedsAndPrintsTheValue() throws Exception {
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      CdsTraining.main(new String[0]);
    } finally {
      System.setOut(stdout);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8)).isEqualTo("value" + System.lineSeparator());
  }
}
