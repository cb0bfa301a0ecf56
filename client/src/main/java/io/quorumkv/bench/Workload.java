package io.quorumkv.bench;

import java.util.Arrays;
import java.util.stream.Collectors;

/** What each operation of the closed loop is. */
public enum Workload {
  /** Put a random key of the key space to a random value. */
  PUT("put"),
  /** Linearizable get of a random key. */
  GET("get"),
  /** Stale (local) get of a random key. */
  STALE_GET("stale-get"),
  /** Linearizable gets with probability read-ratio, else puts. */
  MIXED("mixed"),
  /** An atomic batch of batch-size puts of random keys. */
  BATCH("batch"),
  /** Increment by 1 of a random counter (counters have their own keys, never the put keys). */
  INCR("incr");

  private final String cliName;

  Workload(String cliName) {
    this.cliName = cliName;
  }

  /** The name on the command line and in the output. */
  public String cliName() {
    return cliName;
  }

  /** Whether the key space is filled before the run (unless told not to): the read-only workloads. */
  public boolean readsOnly() {
    return this == GET || this == STALE_GET;
  }

  /** @throws IllegalArgumentException naming the valid names */
  public static Workload parse(String name) {
    for (Workload w : values()) {
      if (w.cliName.equals(name)) {
        return w;
      }
    }
    throw new IllegalArgumentException("unknown workload '" + name + "' (valid: " + names() + ")");
  }

  public static String names() {
    return Arrays.stream(values()).map(Workload::cliName).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return cliName;
  }
}
