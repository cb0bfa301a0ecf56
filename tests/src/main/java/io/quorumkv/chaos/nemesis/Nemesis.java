package io.quorumkv.chaos.nemesis;

import io.quorumkv.chaos.harness.ProcessCluster;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Injects faults on a schedule: every {@code interval} it runs the next action of the schedule (cycling
 * through it in order), on victims and with down times chosen by a seeded random. Each action heals what
 * it broke (restart, SIGCONT) before it ends, so the cluster is whole between actions. An action waits
 * for a leader first (up to {@value #LEADER_WAIT_MILLIS} ms) and is skipped if there is none.
 */
public final class Nemesis {
  private static final long LEADER_WAIT_MILLIS = 10_000;
  private static final int MIN_DOWN_MILLIS = 500;
  private static final int MAX_DOWN_MILLIS = 2_000;

  private final ProcessCluster cluster;
  private final List<NemesisAction> schedule;
  private final Duration interval;
  private final Random random;
  private final LongSupplier clock;
  private final Consumer<String> progress;
  private final List<NemesisEvent> events = new CopyOnWriteArrayList<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Thread thread = new Thread(this::loop, "chaos-nemesis");
  private volatile Throwable failure;

  /**
   * @param cluster the cluster to break, already started
   * @param schedule the actions, run in order and cycled
   * @param interval time between the starts of two actions; should exceed {@value #MAX_DOWN_MILLIS} ms
   * @param seed seeds the choice of victims and down times
   * @param clock the history's monotonic clock, so that events and operations share a time line
   * @param progress receives one line per fault injected or healed
   */
  public Nemesis(ProcessCluster cluster, List<NemesisAction> schedule, Duration interval, long seed,
      LongSupplier clock, Consumer<String> progress) {
    this.cluster = cluster;
    this.schedule = List.copyOf(schedule);
    this.interval = interval;
    this.random = new Random(seed);
    this.clock = clock;
    this.progress = progress;
    thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /** Stops after the current action has healed; rethrows what made the nemesis fail, if anything did. */
  public void stop() throws InterruptedException {
    stopped.countDown();
    thread.join();
    if (failure != null) {
      throw new IllegalStateException("nemesis failed: " + failure, failure);
    }
  }

  /** Every step taken so far, in order. */
  public List<NemesisEvent> events() {
    return List.copyOf(events);
  }

  private void loop() {
    try {
      for (int i = 0; !stopped.await(interval.toMillis(), TimeUnit.MILLISECONDS); i++) {
        run(schedule.get(i % schedule.size()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      failure = e;
    }
  }

  private void run(NemesisAction action) throws InterruptedException, IOException {
    Optional<String> leader = cluster.awaitLeader(LEADER_WAIT_MILLIS);
    if (leader.isEmpty()) {
      progress.accept("nemesis: no leader within " + LEADER_WAIT_MILLIS + " ms, skipping " + action.cliName());
      return;
    }
    String l = leader.get();
    switch (action) {
      case LEADER_KILL -> {
        step(action, NemesisEvent.Step.KILL, l, true);
        downTime();
        step(action, NemesisEvent.Step.RESTART, l, false);
      }
      case FOLLOWER_KILL -> {
        String f = pick(l, false);
        step(action, NemesisEvent.Step.KILL, f, false);
        downTime();
        step(action, NemesisEvent.Step.RESTART, f, false);
      }
      case PAUSE -> {
        String victim = pick(l, true);
        step(action, NemesisEvent.Step.PAUSE, victim, victim.equals(l));
        downTime();
        step(action, NemesisEvent.Step.RESUME, victim, false);
      }
      case COMBINED -> {
        String f = pick(l, false);
        step(action, NemesisEvent.Step.PAUSE, f, false);
        step(action, NemesisEvent.Step.KILL, l, true);
        downTime();
        step(action, NemesisEvent.Step.RESUME, f, false);
        step(action, NemesisEvent.Step.RESTART, l, false);
      }
      case CLUSTER_RESTART -> {
        List<String> all = leaderFirst(l);
        killTogether(action, all, l);
        downTime();
        for (String id : all) {
          step(action, NemesisEvent.Step.RESTART, id, false);
        }
      }
    }
  }

  /** Every member, the leader first: so the first KILL event of a cluster restart is the leader's. */
  private List<String> leaderFirst(String leader) {
    List<String> all = new ArrayList<>(List.of(leader));
    cluster.nodeIds().stream().filter(id -> !id.equals(leader)).forEach(all::add);
    return all;
  }

  /**
   * One KILL event per member, all recorded before any signal is sent, then one SIGKILL each before
   * waiting for any: no member outlives the others long enough to notice.
   */
  private void killTogether(NemesisAction action, List<String> nodes, String leader) throws InterruptedException {
    long at = clock.getAsLong();
    for (String id : nodes) {
      events.add(new NemesisEvent(at, action, NemesisEvent.Step.KILL, id, id.equals(leader)));
    }
    cluster.killTogether(nodes);
    progress.accept("nemesis: " + action.cliName() + " kill " + String.join(",", nodes) + " (leader " + leader + ")");
  }

  /** A random running member: any of them, or any but the leader. */
  private String pick(String leader, boolean leaderToo) {
    List<String> candidates = cluster.nodeIds().stream()
        .filter(id -> cluster.isRunning(id) && !cluster.isPaused(id) && (leaderToo || !id.equals(leader)))
        .toList();
    return candidates.isEmpty() ? leader : candidates.get(random.nextInt(candidates.size()));
  }

  /** Keeps the fault in place for a random time; returns early if the run is stopping. */
  private void downTime() throws InterruptedException {
    stopped.await(MIN_DOWN_MILLIS + random.nextInt(MAX_DOWN_MILLIS - MIN_DOWN_MILLIS + 1), TimeUnit.MILLISECONDS);
  }

  private void step(NemesisAction action, NemesisEvent.Step step, String node, boolean wasLeader)
      throws InterruptedException, IOException {
    NemesisEvent event = new NemesisEvent(clock.getAsLong(), action, step, node, wasLeader);
    events.add(event);
    switch (step) {
      case KILL -> cluster.kill(node);
      case PAUSE -> cluster.pause(node);
      case RESUME -> cluster.resume(node);
      case RESTART -> cluster.restart(node);
    }
    progress.accept("nemesis: " + action.cliName() + " " + step.name().toLowerCase() + " " + node
        + (wasLeader ? " (leader)" : ""));
  }
}
