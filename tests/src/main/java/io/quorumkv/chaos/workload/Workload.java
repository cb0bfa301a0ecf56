package io.quorumkv.chaos.workload;

import io.quorumkv.chaos.history.Recorder;
import io.quorumkv.client.QuorumKvClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Concurrent clients over a small key space, each with its own connection and seeded random, recording
 * into one {@link Recorder}. {@link #start()} once, then {@link #stop()}.
 */
public final class Workload {
  /** Short enough that a request to a paused member is abandoned and retried elsewhere quickly. */
  public static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(1);
  /** Long enough to ride out an election, so that most calls end OK rather than unknown. */
  public static final Duration OVERALL_TIMEOUT = Duration.ofSeconds(5);

  private final List<QuorumKvClient> clients = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;

  /**
   * @param endpoints client endpoints of the members
   * @param keys the run's keys
   * @param clientCount number of concurrent clients (each one a thread and a connection)
   * @param seed seeds each client's choices ({@code seed + i} for client i) and backoff jitter
   * @param recorder where every operation is recorded
   */
  public Workload(List<String> endpoints, KeySpace keys, int clientCount, long seed, Recorder recorder) {
    for (int i = 0; i < clientCount; i++) {
      // Client ids stay random: the server deduplicates writes by (client id, sequence), and a replayed
      // seed must not collide with the ids of an earlier run against the same cluster.
      QuorumKvClient kv = QuorumKvClient.builder().endpoints(endpoints)
          .attemptTimeout(ATTEMPT_TIMEOUT).overallTimeout(OVERALL_TIMEOUT)
          .random(new Random(seed ^ (0x9e3779b97f4a7c15L * (i + 1)))).build();
      clients.add(kv);
      ClientWorker worker = new ClientWorker(i, kv, keys, new Random(seed + i), recorder, () -> running);
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
}
