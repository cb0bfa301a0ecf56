package io.quorumkv.cli;

import io.quorumkv.bench.BenchConfig;
import io.quorumkv.bench.BenchEngine;
import io.quorumkv.bench.BenchResult;
import io.quorumkv.bench.BenchTarget;
import io.quorumkv.bench.CpuMeter;
import io.quorumkv.bench.ProcCpu;
import io.quorumkv.bench.BenchTargetProvider;
import io.quorumkv.bench.QuorumKvTarget;
import io.quorumkv.bench.Workload;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "bench",
    sortOptions = false,
    description = {
      "Closed-loop load: --clients logical clients, each sending its next request as",
      "soon as the previous one is answered (asynchronously, over --connections",
      "client connections shared round-robin). Prints a progress line every second to",
      "stderr, then throughput, latency percentiles (successful requests after the",
      "warm-up), errors by kind and CPU time (this process and --member-pids).",
      "get and stale-get first write every key of the key space (unless --no-fill).",
      "Exits with 0 if any request succeeded, else 5."
    })
final class BenchCommand implements Callable<Integer> {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  @ParentCommand QuorumKvCli root;
  @Spec CommandSpec spec;

  @Option(names = "--workload", paramLabel = "KIND", defaultValue = "put", converter = WorkloadConverter.class,
      description = "put, get (linearizable), stale-get, mixed (gets and puts), batch (batches of puts) or "
          + "incr (default: ${DEFAULT-VALUE}).")
  Workload workload;

  @Option(names = "--read-ratio", paramLabel = "R", defaultValue = "0.9",
      description = "mixed: share of linearizable gets, the rest puts (default: ${DEFAULT-VALUE}).")
  double readRatio;

  @Option(names = "--clients", paramLabel = "N", defaultValue = "16",
      description = "Logical clients, one request in flight each (default: ${DEFAULT-VALUE}).")
  int clients;

  @Option(names = "--connections", paramLabel = "N", defaultValue = "4",
      description = "Client instances (connections, sessions) the logical clients share round-robin; at most "
          + "--clients (default: ${DEFAULT-VALUE}).")
  int connections;

  @Option(names = "--no-write-pipeline",
      description = "Send every put and increment as a call of its own, instead of letting the writes in "
          + "flight on a connection share KV.Writes calls (the Java client's default).")
  boolean noWritePipeline;

  @Option(names = "--keys", paramLabel = "N", defaultValue = "100000",
      description = "Size of the key space; keys are chosen uniformly (default: ${DEFAULT-VALUE}).")
  long keys;

  @Option(names = "--key-bytes", paramLabel = "N", defaultValue = "16",
      description = "Key length: a letter and the zero-padded key number (default: ${DEFAULT-VALUE}).")
  int keyBytes;

  @Option(names = "--value-bytes", paramLabel = "N", defaultValue = "100",
      description = "Value length, random bytes (default: ${DEFAULT-VALUE}).")
  int valueBytes;

  @Option(names = "--batch-size", paramLabel = "B", defaultValue = "100",
      description = "batch: puts per batch; throughput is reported in batches and keys (default: "
          + "${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "5",
      description = "Run this long before measuring (default: ${DEFAULT-VALUE}).")
  double warmupSeconds;

  @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "10",
      description = "Measure this long (default: ${DEFAULT-VALUE}).")
  double durationSeconds;

  @Option(names = "--seed", paramLabel = "N",
      description = "Seed of the key and value choices (default: random; printed).")
  Long seed;

  @Option(names = "--no-fill", description = "get, stale-get: do not write the key space first.")
  boolean noFill;

  @Option(names = "--member-pids", paramLabel = "PID", split = ",",
      description = "Also report the CPU time these processes (e.g. the members) use while measuring.")
  List<String> memberPids = new ArrayList<>();

  @Option(names = "--json", description = "Print one JSON object on stdout instead of the table.")
  boolean json;

  @Option(names = "--target", paramLabel = "NAME", defaultValue = QUORUMKV_TARGET,
      description = "The system to load: quorumkv, or another one whose BenchTargetProvider is on the "
          + "classpath (the tests module adds etcd; see tests/perf/compare-etcd.sh) (default: ${DEFAULT-VALUE}).")
  String target;

  private static final String QUORUMKV_TARGET = "quorumkv";

  static final class WorkloadConverter implements ITypeConverter<Workload> {
    @Override
    public Workload convert(String value) {
      return Workload.parse(value);
    }
  }

  /** Checks the options before any connection is made. */
  BenchConfig config() {
    if (connections < 1) {
      throw usageError("--connections must be at least 1: " + connections);
    }
    if (!(warmupSeconds >= 0) || !(durationSeconds > 0)) {
      throw usageError("--warmup must be >= 0 and --duration > 0 seconds");
    }
    if (!target.equals(QUORUMKV_TARGET) && provider().isEmpty()) {
      throw usageError("--target: no target named '" + target + "' (available: " + QUORUMKV_TARGET
          + ServiceLoader.load(BenchTargetProvider.class).stream().map(p -> ", " + p.get().name())
              .collect(Collectors.joining()) + ")");
    }
    for (String pid : memberPids) {
      if (!pid.matches("[0-9]+")) {
        throw usageError("--member-pids: not a process id: '" + pid + "'");
      }
      if (!ProcCpu.readable(pid)) {
        throw usageError("--member-pids: cannot read /proc/" + pid + "/stat (no such process, or not Linux)");
      }
    }
    long s = seed != null ? seed : ThreadLocalRandom.current().nextLong(1_000_000_000L);
    try {
      return new BenchConfig(workload, clients, keys, keyBytes, valueBytes, batchSize, readRatio,
          Math.round(warmupSeconds * NANOS_PER_SECOND), Math.round(durationSeconds * NANOS_PER_SECOND), s)
          .validate();
    } catch (IllegalArgumentException e) {
      throw usageError(e.getMessage());
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    BenchConfig config = config();
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    int n = Math.min(connections, clients);
    List<BenchTarget> targets = new ArrayList<>();
    try {
      Optional<BenchTargetProvider> other = provider();
      for (int i = 0; i < n; i++) {
        targets.add(other.isPresent() ? other.get().open(root.global.endpoints(), i)
            : new QuorumKvTarget(root.global.newClient(!noWritePipeline)));
      }
      BenchEngine engine = new BenchEngine(config, targets)
          .progress(line -> {
            err.println(line);
            err.flush();
          })
          .cpu(new CpuMeter(memberPids))
          .grace(Math.round((root.global.timeoutSeconds + 5) * NANOS_PER_SECOND));
      err.printf(Locale.ROOT, "bench: %s, %d clients on %d connections, seed %d, %.1f s warm-up + %.1f s%n",
          config.workload(), config.clients(), n, config.seed(), warmupSeconds, durationSeconds);
      err.flush();
      if (config.workload().readsOnly() && !noFill) {
        engine.fill();
      }
      BenchResult result = engine.run();
      if (json) {
        out.println(result.toJson());
        out.flush();
      } else {
        result.printTable(out);
      }
      if (result.ops() == 0) {
        err.println("quorumkv: no request succeeded");
        err.flush();
        return ExitCodes.OTHER;
      }
      return ExitCodes.OK;
    } finally {
      targets.forEach(BenchTarget::close);
    }
  }

  private Optional<BenchTargetProvider> provider() {
    return ServiceLoader.load(BenchTargetProvider.class).stream().map(ServiceLoader.Provider::get)
        .filter(p -> p.name().equals(target)).findFirst();
  }

  private ParameterException usageError(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
