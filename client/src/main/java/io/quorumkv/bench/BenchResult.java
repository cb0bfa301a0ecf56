package io.quorumkv.bench;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a run measured.
 *
 * @param config what was run
 * @param connections targets the logical clients shared
 * @param ops successful measured operations
 * @param errors failed measured operations by {@link BenchTarget#errorKind}, sorted
 * @param warmupOps successful operations started during the warm-up (not measured)
 * @param warmupErrors failed operations started during the warm-up
 * @param tailOps operations started in the measured interval that completed after it (not counted)
 * @param abandoned logical clients whose last operation had not completed when the bench gave up waiting
 * @param latency latencies in nanoseconds of the successful measured operations
 * @param benchCpuSeconds CPU used by this process during the measured interval; null if unknown
 * @param memberCpuSeconds CPU used by each other process during the measured interval; a value is null if
 *     unknown
 */
public record BenchResult(
    BenchConfig config,
    int connections,
    long ops,
    Map<String, Long> errors,
    long warmupOps,
    long warmupErrors,
    long tailOps,
    long abandoned,
    LatencyHistogram latency,
    Double benchCpuSeconds,
    Map<String, Double> memberCpuSeconds) {

  public long errorCount() {
    return errors.values().stream().mapToLong(Long::longValue).sum();
  }

  public double seconds() {
    return config.durationNanos() / 1e9;
  }

  public double opsPerSecond() {
    return ops / seconds();
  }

  /** Keys written (batch: ops x batch-size). */
  public long keys() {
    return ops * config.keysPerOp();
  }

  public double keysPerSecond() {
    return keys() / seconds();
  }

  /** The latency at percentile p in milliseconds. */
  public double latencyMs(double p) {
    return latency.percentile(p) / 1e6;
  }

  /** This process's CPU milliseconds per successful operation; null if unknown or no operation. */
  public Double benchCpuMsPerOp() {
    return benchCpuSeconds == null || ops == 0 ? null : benchCpuSeconds * 1000 / ops;
  }

  /** The other processes' CPU seconds summed; null if none is known. */
  public Double memberCpuSecondsSum() {
    if (memberCpuSeconds.isEmpty() || memberCpuSeconds.values().stream().anyMatch(v -> v == null)) {
      return null;
    }
    return memberCpuSeconds.values().stream().mapToDouble(Double::doubleValue).sum();
  }

  /** The other processes' CPU milliseconds per successful operation, summed; null if unknown. */
  public Double memberCpuMsPerOp() {
    Double sum = memberCpuSecondsSum();
    return sum == null || ops == 0 ? null : sum * 1000 / ops;
  }

  private static final double[] PERCENTILES = {50, 90, 99, 99.9};
  private static final String[] PERCENTILE_NAMES = {"p50", "p90", "p99", "p99.9"};

  /** The human-readable table. */
  public void printTable(PrintWriter out) {
    boolean batch = config.workload() == Workload.BATCH;
    row(out, "workload", config.workload()
        + (config.workload() == Workload.MIXED ? String.format(Locale.ROOT, " (read ratio %.2f)", config.readRatio()) : "")
        + (batch ? " (" + config.batchSize() + " puts per batch)" : ""));
    row(out, "clients", config.clients() + " logical on " + connections + " connections");
    row(out, "key space", String.format(Locale.ROOT, "%,d keys of %d bytes, values of %d bytes, seed %d",
        config.keys(), config.keyBytes(), config.valueBytes(), config.seed()));
    row(out, "measured", String.format(Locale.ROOT, "%.1f s, after a %.1f s warm-up of %,d ops",
        seconds(), config.warmupNanos() / 1e9, warmupOps));
    row(out, "ops", String.format(Locale.ROOT, "%,d", ops));
    row(out, "ops/s", String.format(Locale.ROOT, "%,.1f", opsPerSecond()));
    if (batch) {
      row(out, "keys", String.format(Locale.ROOT, "%,d", keys()));
      row(out, "keys/s", String.format(Locale.ROOT, "%,.1f", keysPerSecond()));
    }
    StringBuilder lat = new StringBuilder();
    for (int i = 0; i < PERCENTILES.length; i++) {
      lat.append(String.format(Locale.ROOT, "%s %.3f  ", PERCENTILE_NAMES[i], latencyMs(PERCENTILES[i])));
    }
    lat.append(String.format(Locale.ROOT, "max %.3f", latency.max() / 1e6));
    row(out, "latency ms", ops == 0 ? "n/a" : lat.toString());
    row(out, "errors", errorCount() == 0 ? "0" : errorCount() + "  (" + errors.entrySet().stream()
        .map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining(", ")) + ")");
    if (warmupErrors > 0 || abandoned > 0) {
      row(out, "not counted", warmupErrors + " errors in the warm-up, " + abandoned
          + " operations still running at the end");
    }
    row(out, "cpu bench", benchCpuSeconds == null ? "n/a"
        : String.format(Locale.ROOT, "%.2f s  (%s ms/op)", benchCpuSeconds, fmt(benchCpuMsPerOp())));
    if (!memberCpuSeconds.isEmpty()) {
      String each = memberCpuSeconds.entrySet().stream()
          .map(e -> "pid " + e.getKey() + " " + (e.getValue() == null ? "n/a"
              : String.format(Locale.ROOT, "%.2f s", e.getValue())))
          .collect(Collectors.joining(", "));
      row(out, "cpu members", each + "  (summed " + fmt(memberCpuMsPerOp()) + " ms/op)");
    }
    out.flush();
  }

  private static String fmt(Double v) {
    return v == null ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
  }

  private static void row(PrintWriter out, String name, String value) {
    out.printf(Locale.ROOT, "%-12s %s%n", name, value);
  }

  /** One JSON object (one line); unknown numbers are null. */
  public String toJson() {
    StringBuilder j = new StringBuilder("{");
    field(j, "workload", str(config.workload().cliName()));
    field(j, "clients", config.clients());
    field(j, "connections", connections);
    field(j, "keys", config.keys());
    field(j, "key_bytes", config.keyBytes());
    field(j, "value_bytes", config.valueBytes());
    field(j, "batch_size", config.keysPerOp());
    field(j, "read_ratio", config.workload() == Workload.MIXED ? num(config.readRatio()) : "null");
    field(j, "seed", config.seed());
    field(j, "warmup_s", num(config.warmupNanos() / 1e9));
    field(j, "duration_s", num(seconds()));
    field(j, "ops", ops);
    field(j, "ops_per_s", num(opsPerSecond()));
    field(j, "keys_written", keys());
    field(j, "keys_per_s", num(keysPerSecond()));
    StringBuilder lat = new StringBuilder("{");
    for (int i = 0; i < PERCENTILES.length; i++) {
      field(lat, PERCENTILE_NAMES[i].replace(".", ""), ops == 0 ? "null" : num(latencyMs(PERCENTILES[i])));
    }
    field(lat, "max", ops == 0 ? "null" : num(latency.max() / 1e6));
    field(j, "latency_ms", close(lat));
    field(j, "errors", errorCount());
    StringBuilder kinds = new StringBuilder("{");
    errors.forEach((k, v) -> field(kinds, k, v));
    field(j, "errors_by_kind", close(kinds));
    field(j, "warmup_ops", warmupOps);
    field(j, "warmup_errors", warmupErrors);
    field(j, "tail_ops", tailOps);
    field(j, "abandoned", abandoned);
    field(j, "cpu_s_bench", num(benchCpuSeconds));
    StringBuilder members = new StringBuilder("{");
    memberCpuSeconds.forEach((k, v) -> field(members, k, num(v)));
    field(j, "cpu_s_members", close(members));
    field(j, "cpu_ms_per_op_bench", num(benchCpuMsPerOp()));
    field(j, "cpu_ms_per_op_members", num(memberCpuMsPerOp()));
    return close(j);
  }

  private static void field(StringBuilder j, String name, Object value) {
    if (j.length() > 1) {
      j.append(',');
    }
    j.append(str(name)).append(':').append(value);
  }

  private static String close(StringBuilder j) {
    return j.append('}').toString();
  }

  /** Seven significant digits, plain notation (valid JSON). */
  static String num(Double v) {
    if (v == null || v.isNaN() || v.isInfinite()) {
      return "null";
    }
    return new BigDecimal(v).round(new MathContext(7)).stripTrailingZeros().toPlainString();
  }

  static String str(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
