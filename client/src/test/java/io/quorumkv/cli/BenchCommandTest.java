package io.quorumkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.quorumkv.cli.FakeNodeCli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BenchCommandTest {
  @RegisterExtension final FakeNodeCli cli = new FakeNodeCli("bench");

  @Test
  void invalidOptionsAreUsageErrorsAndConnectNowhere() {
    String[][] invalid = {
      {"--clients", "0"},
      {"--connections", "0"},
      {"--read-ratio", "1.5"},
      {"--workload", "scan"},
      {"--keys", "0"},
      {"--keys", "100000", "--key-bytes", "5"},
      {"--value-bytes", "-1"},
      {"--batch-size", "1001"},
      {"--workload", "batch", "--batch-size", "1000", "--value-bytes", "10000"},
      {"--duration", "0"},
      {"--warmup", "-1"},
      {"--member-pids", "12x"},
      {"--member-pids", "999999999"},
      {"--target", "nosuchdb"},
      {"--workload", "batch", "--batch-size", "20", "--keys", "10"},
    };
    for (String[] args : invalid) {
      Result r = cli.run(args);
      assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(ExitCodes.USAGE);
      assertThat(r.out()).as(String.join(" ", args)).isEmpty();
    }
    assertThat(cli.run("--clients", "0").err()).contains("--clients must be at least 1");
    assertThat(cli.run("--read-ratio", "1.5").err()).contains("--read-ratio must be in 0..1");
    assertThat(cli.run("--workload", "scan").err()).contains("unknown workload 'scan'");
    assertThat(cli.run("--target", "nosuchdb").err()).contains("no target named 'nosuchdb' (available: quorumkv");
    assertThat(cli.node().requests()).isZero();
  }

  @Test
  void putRunPrintsTheTable() {
    Result r = cli.run("--workload", "put", "--clients", "4", "--connections", "2", "--warmup", "0.2",
        "--duration", "1", "--seed", "42", "--keys", "100");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("workload     put").contains("4 logical on 2 connections").contains("seed 42")
        .contains("ops/s").contains("latency ms   p50 ").contains("p99.9").contains("errors       0");
    assertThat(r.err()).contains("bench: put, 4 clients on 2 connections, seed 42");
    assertThat(cli.node().store()).isNotEmpty().hasSizeLessThanOrEqualTo(100);
  }

  @Test
  void getFillsTheKeySpaceFirstAndJsonIsOneObject() {
    Result r = cli.run("--workload", "get", "--clients", "2", "--keys", "300", "--warmup", "0", "--duration",
        "0.5", "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(cli.node().store()).hasSize(300);
    assertThat(r.err()).contains("fill: 300 of 300 keys (100%)");
    assertThat(r.out().strip()).startsWith("{\"workload\":\"get\",").endsWith("}").doesNotContain("\n");
    assertThat(r.out()).contains("\"errors\":0,").contains("\"latency_ms\":{\"p50\":");
  }

  @Test
  void errorsAreCountedByKindAndAFailedRunExitsWithFive() {
    cli.node().close();
    Result r = cli.runWithTimeout("0.2", "--workload", "incr", "--clients", "2", "--warmup", "0", "--duration", "1");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.OTHER);
    assertThat(r.out()).contains("UnavailableException/UNAVAILABLE");
    assertThat(r.err()).contains("no request succeeded");
  }
}
