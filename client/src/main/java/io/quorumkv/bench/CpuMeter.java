package io.quorumkv.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * CPU seconds used between {@link #start()} and {@link #stop()} by this JVM and by other processes (e.g.
 * the members under test), from {@code /proc/PID/stat}. A process whose stat cannot be read at either end
 * (not Linux, or it exited) has no reading.
 */
public final class CpuMeter {
  private final List<String> pids;
  private final Map<String, OptionalLong> before = new LinkedHashMap<>();
  private final Map<String, Double> seconds = new LinkedHashMap<>();

  /** @param pids the other processes to measure; this JVM ("self") is always measured */
  public CpuMeter(List<String> pids) {
    this.pids = List.copyOf(pids);
  }

  public synchronized void start() {
    before.put("self", ProcCpu.ticks("self"));
    for (String pid : pids) {
      before.put(pid, ProcCpu.ticks(pid));
    }
  }

  public synchronized void stop() {
    double tps = ProcCpu.ticksPerSecond();
    for (Map.Entry<String, OptionalLong> e : before.entrySet()) {
      OptionalLong after = ProcCpu.ticks(e.getKey());
      seconds.put(e.getKey(),
          e.getValue().isPresent() && after.isPresent() ? (after.getAsLong() - e.getValue().getAsLong()) / tps : null);
    }
  }

  /** This JVM's CPU seconds in the interval; null if unknown. */
  public synchronized Double benchSeconds() {
    return seconds.get("self");
  }

  /** CPU seconds of each other process, in the order given; a value is null if unknown. */
  public synchronized Map<String, Double> memberSeconds() {
    Map<String, Double> m = new LinkedHashMap<>();
    for (String pid : pids) {
      m.put(pid, seconds.get(pid));
    }
    return m;
  }
}
