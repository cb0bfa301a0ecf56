package io.quorumkv.server.launch;

/**
 * Keeps {@link java.util.concurrent.CompletableFuture}'s default async executor a thread pool. The JDK
 * sizes its common pool at the core count minus one, and with a parallelism below 2 every
 * {@code *Async} stage without an executor starts a thread of its own. Ratis' follower composes each
 * AppendEntries batch with {@code thenComposeAsync} (no executor), so on a 2-core machine a follower
 * started and ended a thread per batch: 14-17 % of its CPU under put load, measured with async-profiler
 * (docs/performance.md).
 */
final class CommonPoolParallelism {
  static final String PROPERTY = "java.util.concurrent.ForkJoinPool.common.parallelism";
  static final int MINIMUM = 2;

  private CommonPoolParallelism() {}

  /**
   * Raises the common pool's parallelism to {@link #MINIMUM} unless it is set explicitly or the machine
   * has enough cores. Takes effect only before the common pool is first used, so it must run first in
   * {@code main}.
   */
  static void ensureMinimum() {
    if (System.getProperty(PROPERTY) == null && Runtime.getRuntime().availableProcessors() - 1 < MINIMUM) {
      System.setProperty(PROPERTY, Integer.toString(MINIMUM));
    }
  }
}
