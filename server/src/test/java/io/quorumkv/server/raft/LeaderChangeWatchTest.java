package io.quorumkv.server.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quorumkv.proto.v1.ErrorCode;
import io.quorumkv.server.errors.KvError;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.ratis.protocol.RaftPeerId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LeaderChangeWatchTest {
  private static final RaftPeerId OLD = RaftPeerId.valueOf("n1");

  private final AtomicReference<RaftPeerId> leader = new AtomicReference<>(OLD);
  private final AtomicInteger polls = new AtomicInteger();
  private final LeaderChangeWatch watch = new LeaderChangeWatch(() -> {
    polls.incrementAndGet();
    return leader.get();
  }, "test-leader-watch");

  @AfterEach
  void close() {
    watch.close();
  }

  @Test
  void completesWithTheNewLeaderOnItsOwnThread() throws Exception {
    CompletableFuture<String> seenOn = watch.leaderOtherThan(OLD, 10_000)
        .thenApply(id -> id + "@" + Thread.currentThread().getName());
    leader.set(null);
    for (int seen = polls.get(); polls.get() < seen + 3; ) {
      Thread.sleep(5); // until a few polls saw no leader
    }
    assertThat(seenOn).isNotDone();
    leader.set(RaftPeerId.valueOf("n2"));
    assertThat(seenOn.get(5, TimeUnit.SECONDS)).isEqualTo("n2@test-leader-watch");
  }

  @Test
  void failsRetryablyWhenNoOtherLeaderComesInTime() {
    assertThatThrownBy(() -> watch.leaderOtherThan(OLD, 50).get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).cause().isInstanceOfSatisfying(KvError.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.LEADER_NOT_READY));
  }

  @Test
  void closeFailsPendingAndLaterWaits() {
    CompletableFuture<String> pending = watch.leaderOtherThan(OLD, 60_000);
    watch.close();
    assertThatThrownBy(() -> pending.get(5, TimeUnit.SECONDS)).cause().isInstanceOfSatisfying(KvError.class,
        e -> assertThat(e.code()).isEqualTo(ErrorCode.NODE_UNAVAILABLE));
    assertThat(watch.leaderOtherThan(OLD, 60_000)).isCompletedExceptionally();
  }
}
