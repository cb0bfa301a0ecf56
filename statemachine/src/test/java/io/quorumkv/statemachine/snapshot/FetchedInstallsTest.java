package io.quorumkv.statemachine.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quorumkv.proto.internal.AppliedIndex;
import io.quorumkv.statemachine.storage.RocksKvStore;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.protocol.TermIndex;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FetchedInstalls} with a real RocksDB store as the source and fetchers that behave well or badly:
 * only a verified checkpoint that covers the leader's log start is ever published, and a failed fetch
 * leaves nothing behind.
 */
class FetchedInstallsTest {

  private static final RaftPeer LEADER = RaftPeer.newBuilder().setId("n1").setAddress("127.0.0.1:1").build();

  @TempDir
  Path root;

  private Path sm;
  private RocksKvStore source;
  private final CheckpointSnapshotStorage snapshots = new CheckpointSnapshotStorage();
  private FetchedInstalls installs;

  @BeforeEach
  void setUp() throws IOException {
    sm = root.resolve("sm");
    snapshots.initAt(sm);
    source = RocksKvStore.open(root.resolve("leader-db"));
    source.advanceApplied(AppliedIndex.newBuilder().setTerm(2).setIndex(50).build());
  }

  @AfterEach
  void tearDown() {
    if (installs != null) {
      installs.close();
    }
    source.close();
  }

  private TermIndex fetch(SnapshotFetcher fetcher, long minIndex) throws Exception {
    installs = new FetchedInstalls("test", fetcher, snapshots);
    try {
      return installs.fetch(LEADER, minIndex).get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  private List<String> smEntries() throws IOException {
    try (Stream<Path> list = Files.list(sm)) {
      return list.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** Waits until {@code fetch} is done or its thread waits for the previous checkpoint to be published. */
  private static void awaitFetchBlockedOrDone(CompletableFuture<TermIndex> fetch) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!fetch.isDone() && !aFetchWaitsForPublication()) {
      assertThat(System.nanoTime()).as("the fetch neither ended nor waited").isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  private static boolean aFetchWaitsForPublication() {
    // One consistent snapshot of each thread's state and stack.
    return Arrays.stream(ManagementFactory.getThreadMXBean().dumpAllThreads(false, false))
        .anyMatch(thread -> thread.getThreadState() == Thread.State.TIMED_WAITING
            && Arrays.stream(thread.getStackTrace()).anyMatch(frame ->
                frame.getClassName().equals(FetchedInstalls.class.getName())
                    && frame.getMethodName().equals("awaitPreviousPublished")));
  }

  private final SnapshotFetcher copiesTheSource = (leader, minIndex, target) -> source.checkpoint(target);

  @Test
  void aFetchedCheckpointIsStagedUntilTheReloadPublishesIt() throws Exception {
    assertThat(fetch(copiesTheSource, 40)).isEqualTo(TermIndex.valueOf(2, 50));
    assertThat(smEntries()).as("staged, not yet a snapshot").containsExactly(".tmp-fetched");
    assertThat(snapshots.getLatestSnapshot()).isNull();

    installs.publishFetched();

    assertThat(smEntries()).containsExactly("2_50");
    assertThat(snapshots.getLatestSnapshot().getTermIndex()).isEqualTo(TermIndex.valueOf(2, 50));
    assertThat(RocksKvStore.appliedIndexOf(sm.resolve("2_50")).getIndex()).isEqualTo(50);
    installs.publishFetched();
    assertThat(smEntries()).as("publishing twice is harmless").containsExactly("2_50");
  }

  @Test
  void aNewFetchWaitsUntilTheReloadHasPublishedThePreviousOne() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    installs = new FetchedInstalls("test", (leader, minIndex, target) -> {
      calls.incrementAndGet();
      source.checkpoint(target);
    }, snapshots);
    assertThat(installs.fetch(LEADER, 40).get(30, TimeUnit.SECONDS)).isEqualTo(TermIndex.valueOf(2, 50));

    // Ratis asks again (the leader purged further) before the reload of the first one has run.
    source.advanceApplied(AppliedIndex.newBuilder().setTerm(2).setIndex(80).build());
    CompletableFuture<TermIndex> second = installs.fetch(LEADER, 70);
    awaitFetchBlockedOrDone(second);
    assertThat(second).as("waits for the first to be published").isNotDone();
    assertThat(calls).hasValue(1);

    installs.publishFetched();
    assertThat(RocksKvStore.appliedIndexOf(sm.resolve("2_50")).getIndex()).as("the first, untouched").isEqualTo(50);
    assertThat(second.get(30, TimeUnit.SECONDS)).isEqualTo(TermIndex.valueOf(2, 80));
    installs.publishFetched();
    assertThat(smEntries()).containsExactly("2_50", "2_80");
  }

  @Test
  void aCheckpointThatEndsBeforeTheLeadersLogStartsIsRefused() {
    assertThatThrownBy(() -> fetch(copiesTheSource, 60))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("ends at index 50, before the leader's log starts (61)");
    assertThat(sm).isEmptyDirectory();
  }

  @Test
  void filesThatAreNotAStoreAreRefused() {
    SnapshotFetcher garbage = (leader, minIndex, target) -> {
      Files.createDirectory(target);
      Files.writeString(target.resolve("CURRENT"), "not a manifest name\n");
    };
    assertThatThrownBy(() -> fetch(garbage, 40))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("what n1 sent is not a readable store");
    assertThat(sm).isEmptyDirectory();
  }

  @Test
  void aTransferThatFailsHalfwayLeavesNothingAndTheNextOneStartsClean() throws Exception {
    SnapshotFetcher breaksOff = (leader, minIndex, target) -> {
      Files.createDirectory(target);
      Files.write(target.resolve("000012.sst"), new byte[4096]);
      throw new IOException("connection reset");
    };
    assertThatThrownBy(() -> fetch(breaksOff, 40)).isInstanceOf(IOException.class).hasMessage("connection reset");
    assertThat(sm).isEmptyDirectory();
    installs.publishFetched();
    assertThat(sm).isEmptyDirectory();

    assertThat(fetch(copiesTheSource, 40)).isEqualTo(TermIndex.valueOf(2, 50));
  }
}
