package io.quorumkv.statemachine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AppliedIndexWaitersTest {

  private final AppliedIndexWaiters waiters = new AppliedIndexWaiters();

  @AfterEach
  void close() {
    waiters.close();
  }

  @Test
  void reachedIndexCompletesAtOnce() {
    waiters.advance(5);
    assertThat(waiters.await(5)).isDone();
    assertThat(waiters.await(0)).isDone();
  }

  @Test
  void waiterCompletesOffTheAdvancingThreadOnceReached() throws Exception {
    CompletableFuture<String> thread = waiters.await(3).thenApply(v -> Thread.currentThread().getName());
    CompletableFuture<Void> later = waiters.await(4);
    waiters.advance(2);
    waiters.advance(3);
    assertThat(thread.get(5, TimeUnit.SECONDS)).isEqualTo("quorumkv-applied-waiters");
    assertThat(later).isNotDone();
    waiters.advance(10);
    later.get(5, TimeUnit.SECONDS);
  }

  @Test
  void indexNeverGoesBack() {
    waiters.advance(7);
    waiters.advance(3);
    assertThat(waiters.await(7)).isDone();
  }

  @Test
  void callersCannotCompleteEachOthersFutures() throws Exception {
    CompletableFuture<Void> first = waiters.await(2);
    CompletableFuture<Void> second = waiters.await(2);
    first.cancel(false);
    waiters.advance(2);
    second.get(5, TimeUnit.SECONDS);
  }

  @Test
  void beyondTheMaximumOfDistinctIndexesANewIndexIsRefusedButAPendingOneCanBeJoined() throws Exception {
    waiters.advance(10);
    int max = AppliedIndexWaiters.MAX_PENDING_INDEXES;
    for (long index = 11; index <= 10 + max; index++) {
      assertThat(waiters.await(index)).as("waiter %d", index).isNotDone();
    }
    CompletableFuture<Void> refused = waiters.await(11 + max);
    assertThatThrownBy(() -> refused.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).hasRootCauseInstanceOf(TooManyWaitersException.class);
    CompletableFuture<Void> joined = waiters.await(10 + max);
    assertThat(joined).isNotDone();
    assertThat(waiters.await(5)).as("an index already applied needs no entry").isDone();

    CompletableFuture<Void> lastOfFirstTen = waiters.await(20);
    waiters.advance(20);
    lastOfFirstTen.get(5, TimeUnit.SECONDS); // completed by the drain that removed 11..20
    CompletableFuture<Void> admitted = waiters.await(11 + max);
    assertThat(admitted).as("accepted again once indexes are reached").isNotDone();
    waiters.advance(11 + max);
    joined.get(5, TimeUnit.SECONDS);
    admitted.get(5, TimeUnit.SECONDS);
  }

  @Test
  void closeFailsPendingAndLaterWaiters() {
    CompletableFuture<Void> pending = waiters.await(9);
    waiters.close();
    assertThatThrownBy(() -> pending.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).hasRootCauseInstanceOf(IllegalStateException.class);
    assertThat(waiters.await(10)).isCompletedExceptionally();
    waiters.close();
  }
}
