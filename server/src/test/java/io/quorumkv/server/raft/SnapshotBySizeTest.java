package io.quorumkv.server.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SnapshotBySizeTest {

  private final AtomicLong bytes = new AtomicLong();
  private final AtomicInteger asked = new AtomicInteger();
  private CompletableFuture<Long> pending = new CompletableFuture<>();
  private final SnapshotBySize trigger = new SnapshotBySize(bytes::get, 1000, () -> {
    asked.incrementAndGet();
    return pending;
  });

  @Test
  void asksOnceTheLogReachesTheSizeAndNotAgainWhileOneIsBeingTaken() {
    bytes.set(999);
    trigger.check();
    assertThat(asked).hasValue(0);

    bytes.set(1000);
    trigger.check();
    trigger.check();
    assertThat(asked).hasValue(1);

    pending.complete(42L);
    pending = new CompletableFuture<>();
    trigger.check(); // the snapshot did not reset the count (e.g. it was refused while replaying): ask again
    assertThat(asked).hasValue(2);
  }

  @Test
  void aFailedSnapshotIsAskedForAgain() {
    bytes.set(5000);
    trigger.check();
    pending.completeExceptionally(new IllegalStateException("not running"));
    pending = new CompletableFuture<>();
    trigger.check();
    assertThat(asked).hasValue(2);
    bytes.set(0);
    pending.complete(7L);
    trigger.check();
    assertThat(asked).hasValue(2);
  }
}
