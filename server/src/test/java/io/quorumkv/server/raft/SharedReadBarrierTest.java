package io.quorumkv.server.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Reads share barriers, but never one that started before they arrived. */
class SharedReadBarrierTest {

  private final List<CompletableFuture<Void>> started = new ArrayList<>();
  private final SharedReadBarrier barriers = new SharedReadBarrier(() -> {
    CompletableFuture<Void> b = new CompletableFuture<>();
    started.add(b);
    return b;
  });

  @Test
  void readsArrivingDuringABarrierWaitForTheNextOneWhichTheyShare() {
    CompletableFuture<Void> first = barriers.await();
    CompletableFuture<Void> second = barriers.await();
    CompletableFuture<Void> third = barriers.await();
    assertThat(started).as("one barrier in flight").hasSize(1);

    started.get(0).complete(null);
    assertThat(first).isCompleted();
    assertThat(second).as("its barrier must start after it arrived").isNotDone();
    assertThat(third).isNotDone();
    assertThat(started).as("the waiting reads' barrier starts at once").hasSize(2);

    started.get(1).complete(null);
    assertThat(second).isCompleted();
    assertThat(third).isCompleted();
    assertThat(started).as("nobody waits: no barrier").hasSize(2);

    CompletableFuture<Void> later = barriers.await();
    assertThat(started).hasSize(3);
    started.get(2).complete(null);
    assertThat(later).isCompleted();
  }

  @Test
  void aFailedBarrierFailsOnlyTheReadsThatWaitedForIt() {
    CompletableFuture<Void> first = barriers.await();
    CompletableFuture<Void> second = barriers.await();
    started.get(0).completeExceptionally(new IllegalStateException("not leader"));

    assertThat(first).isCompletedExceptionally();
    assertThat(second).isNotDone();
    started.get(1).complete(null);
    assertThat(second).isCompleted();
  }

  @Test
  void aBarrierThatCannotStartFailsItsReadsAndTheNextStartsAgain() {
    List<Integer> calls = new ArrayList<>();
    SharedReadBarrier failing = new SharedReadBarrier(() -> {
      calls.add(1);
      if (calls.size() == 1) {
        throw new IllegalStateException("closed");
      }
      return CompletableFuture.completedFuture(null);
    });
    assertThat(failing.await()).isCompletedExceptionally();
    assertThat(failing.await()).isCompleted();
  }
}
