package io.quorumkv.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BenchProcCpuTest {
  /** A real line of /proc/PID/stat, with a command name holding spaces and parentheses. */
  private static final String LINE = "12345 (java (main) x) S 1 12345 12345 0 -1 4194560 52117 0 12 0 "
      + "1523 417 3 1 20 0 42 0 987654 4096000000 65000 18446744073709551615 1 1 0 0 0 0 0 4096 17102 0 0 0 "
      + "17 1 0 0 0 0 0";

  @Test
  void parsesUtimePlusStimeAfterTheCommandName() {
    assertThat(ProcCpu.parseTicks(LINE)).isEqualTo(1523 + 417);
    assertThat(ProcCpu.parseTicks("7 (sh) R 1 7 7 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 1 1 1\n")).isEqualTo(11);
  }

  @Test
  void rejectsMalformedLines() {
    assertThatThrownBy(() -> ProcCpu.parseTicks("no parentheses here"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProcCpu.parseTicks("1 (x) S 1 2"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProcCpu.parseTicks("1 (x) S 1 1 1 0 -1 0 0 0 0 0 ab 6 0"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void clockTicksDefaultTo100() {
    assertThat(ProcCpu.parseClkTck("250\n")).isEqualTo(250);
    assertThat(ProcCpu.parseClkTck("undefined")).isEqualTo(100);
    assertThat(ProcCpu.parseClkTck("0")).isEqualTo(100);
    assertThat(ProcCpu.ticksPerSecond()).isPositive();
  }

  @Test
  void readsThisProcessAndNotAMissingOne() {
    assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "Linux /proc");
    assertThat(ProcCpu.ticks("self")).isPresent();
    assertThat(ProcCpu.readable("999999999")).isFalse();
    CpuMeter meter = new CpuMeter(java.util.List.of("999999999"));
    meter.start();
    meter.stop();
    assertThat(meter.benchSeconds()).isNotNull().isGreaterThanOrEqualTo(0.0);
    assertThat(meter.memberSeconds()).containsEntry("999999999", null);
  }
}
