package io.quorumkv.chaos.workload;

import io.quorumkv.chaos.history.Recorder;
import io.quorumkv.client.QuorumKvClient;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Concurrent clients over a small key space, each with its own connection and seeded random, recording
 * into one {@link Recorder}. {@link #start()} once, then {@link #stop()}, then (in resend mode) {@link
 * #resolveIncrements}, then {@link #close()}.
 *
 * <p>In resend mode each client sends its counter increments through the raw gRPC stubs with WriteIds it
 * chooses itself and re-sends them later ({@link ResendingIncrements}).
 */
public final class Workload implements AutoCloseable {
  /** Short enough that a request to a paused member is abandoned and retried elsewhere quickly. */
  public static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(1);
  /** Long enough to ride out an election, so that most calls end OK rather than unknown. */
  public static final Duration OVERALL_TIMEOUT = Duration.ofSeconds(5);

  private final List<QuorumKvClient> clients = new ArrayList<>();
  private final List<ResendingIncrements> resending = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final Recorder recorder;
  private volatile boolean running = true;

  /**
   * @param endpoints client endpoints of the members
   * @param keys the run's keys
   * @param clientCount number of concurrent clients (each one a thread and a connection)
   * @param seed seeds each client's choices ({@code seed + i} for client i) and backoff jitter
   * @param recorder where every operation is recorded
   * @param resend whether counter increments go through {@link ResendingIncrements}
   */
  public Workload(List<String> endpoints, KeySpace keys, int clientCount, long seed, Recorder recorder,
      boolean resend) {
    this.recorder = recorder;
    SecureRandom ids = new SecureRandom();
    for (int i = 0; i < clientCount; i++) {
      // Client ids stay random: the server deduplicates writes by (client id, sequence), and a replayed
      // seed must not collide with the ids of an earlier run against the same cluster.
      QuorumKvClient kv = QuorumKvClient.builder().endpoints(endpoints)
          .attemptTimeout(ATTEMPT_TIMEOUT).overallTimeout(OVERALL_TIMEOUT)
          .random(new Random(seed ^ (0x9e3779b97f4a7c15L * (i + 1)))).build();
      clients.add(kv);
      Optional<ResendingIncrements> increments = Optional.empty();
      if (resend) {
        byte[] clientId = new byte[16]; // random like the Java client's ids, for the same reason
        ids.nextBytes(clientId);
        increments = Optional.of(new ResendingIncrements(i, clientId, new IncrementSender(endpoints, ATTEMPT_TIMEOUT,
            new Random(seed ^ (0x5851f42d4c957f2dL * (i + 1)))), recorder, OVERALL_TIMEOUT));
        resending.add(increments.get());
      }
      ClientWorker worker = new ClientWorker(i, kv, keys, new Random(seed + i), recorder, () -> running,
          increments);
      Thread t = new Thread(worker, "chaos-client-" + i);
      t.setDaemon(true);
      threads.add(t);
    }
  }

  public void start() {
    threads.forEach(Thread::start);
  }

  /**
   * Stops issuing operations and waits for the ones in flight to end (each is bounded by the client's
   * overall timeout), then closes the connections.
   */
  public void stop() throws InterruptedException {
    running = false;
    long waitMillis = OVERALL_TIMEOUT.plus(ATTEMPT_TIMEOUT).plusSeconds(5).toMillis();
    for (Thread t : threads) {
      t.join(waitMillis);
    }
    clients.forEach(QuorumKvClient::close);
  }

  /**
   * After {@link #stop()}, on a healed cluster: every client re-sends each of its increments whose outcome
   * is still unknown until it is answered, then each acknowledged one it still keeps once more (the clients
   * in parallel), until {@code timeout} has passed.
   *
   * @return how many increments were unknown before and how many of them are now answered
   */
  public Resolution resolveIncrements(Duration timeout) throws InterruptedException {
    for (Thread t : threads) {
      t.join(); // its increments are not thread-safe; every call it makes ends by a deadline
    }
    long deadline = recorder.now() + timeout.toNanos();
    int unknown = resending.stream().mapToInt(ResendingIncrements::unknownCount).sum();
    AtomicInteger resolved = new AtomicInteger();
    List<Thread> resolvers = new ArrayList<>();
    for (ResendingIncrements r : resending) {
      Thread t = new Thread(() -> resolved.addAndGet(r.resolve(deadline)), "chaos-resolve");
      t.setDaemon(true);
      t.start();
      resolvers.add(t);
    }
    for (Thread t : resolvers) {
      t.join();
    }
    return new Resolution(unknown, resolved.get());
  }

  /**
   * The outcome of {@link #resolveIncrements}.
   *
   * @param unknown increments whose outcome was unknown when the workload stopped
   * @param resolved how many of them a re-send answered in the resolution phase
   */
  public record Resolution(int unknown, int resolved) {}

  /** Closes the raw-stub channels of resend mode (the Java clients are closed by {@link #stop()}). */
  @Override
  public void close() {
    resending.forEach(ResendingIncrements::close);
  }
}
