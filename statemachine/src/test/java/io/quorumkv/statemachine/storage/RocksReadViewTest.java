package io.quorumkv.statemachine.storage;

import static io.quorumkv.statemachine.TestCommands.bytes;
import static io.quorumkv.statemachine.TestCommands.key;
import static io.quorumkv.statemachine.TestCommands.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.AppliedIndex;
import io.quorumkv.proto.internal.StoredValue;
import io.quorumkv.proto.v1.KeyValue;
import io.quorumkv.statemachine.read.KeyRange;
import io.quorumkv.statemachine.read.PointRead;
import io.quorumkv.statemachine.read.ReadView;
import io.quorumkv.statemachine.read.ReadViewClosedException;
import io.quorumkv.statemachine.read.ScanPage;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksReadViewTest {

  @TempDir
  Path dir;

  private RocksKvStore store;
  private long index;

  @BeforeEach
  void open() {
    store = RocksKvStore.open(dir);
  }

  @AfterEach
  void close() {
    store.close();
  }

  /** Commits {@code keys} (each with value "v:" + its hex) as one entry. */
  private void putAll(ByteString... keys) {
    WriteSet writes = new WriteSet();
    index++;
    for (ByteString key : keys) {
      writes.put(key, StoredValue.newBuilder()
          .setValue(text("v:" + hex(key))).setCreateIndex(index).setModIndex(index).setVersion(1).build());
    }
    store.commit(writes, new SessionWrites(), AppliedIndex.newBuilder().setTerm(1).setIndex(index).build(), index);
  }

  private static String hex(ByteString key) {
    StringBuilder s = new StringBuilder();
    for (byte b : key.toByteArray()) {
      s.append(String.format("%02x", b & 0xFF));
    }
    return s.toString();
  }

  private static List<ByteString> keys(ScanPage page) {
    return page.entries().stream().map(KeyValue::getKey).toList();
  }

  private ScanPage scan(KeyRange range, int limit) {
    try (ReadView view = store.openView()) {
      return view.scan(range, limit, Long.MAX_VALUE, false);
    }
  }

  @Test
  void viewIsAConsistentSnapshot() {
    putAll(key("a"));
    try (ReadView view = store.openView()) {
      putAll(key("b"));
      WriteSet deleteA = new WriteSet();
      deleteA.delete(key("a"));
      store.commit(deleteA, new SessionWrites(), AppliedIndex.newBuilder().setTerm(1).setIndex(++index).build(), index);

      assertThat(view.appliedIndex()).isEqualTo(1);
      assertThat(view.get(key("a"), false)).isPresent();
      assertThat(view.get(key("b"), false)).isEmpty();
      assertThat(keys(view.scan(KeyRange.ALL, 10, Long.MAX_VALUE, false))).containsExactly(key("a"));
    }
    try (ReadView later = store.openView()) {
      assertThat(later.appliedIndex()).isEqualTo(3);
      assertThat(later.get(key("a"), false)).isEmpty();
    }
  }

  @Test
  void emptyStoreViewIsAtIndexZero() {
    try (ReadView view = store.openView()) {
      assertThat(view.appliedIndex()).isZero();
      assertThat(view.scan(KeyRange.ALL, 10, 10, false)).isEqualTo(new ScanPage(List.of(), false));
    }
  }

  @Test
  void getReturnsValueAndBookkeepingOrKeysOnly() {
    putAll(key("a"));
    try (ReadView view = store.openView()) {
      assertThat(view.get(key("a"), false)).contains(KeyValue.newBuilder()
          .setKey(key("a")).setValue(text("v:61")).setCreateIndex(1).setModIndex(1).setVersion(1).build());
      KeyValue keyOnly = view.get(key("a"), true).orElseThrow();
      assertThat(keyOnly.hasValue()).isFalse();
      assertThat(keyOnly.getVersion()).isEqualTo(1);
      assertThat(view.scan(KeyRange.ALL, 10, Long.MAX_VALUE, true).entries())
          .allSatisfy(kv -> assertThat(kv.hasValue()).isFalse());
    }
  }

  @Test
  void keysAreOrderedAsUnsignedBytes() {
    putAll(bytes(0xFF), bytes(0x80), bytes(0x7F), bytes(0x01), bytes(0x80, 0x00), bytes(0x00));
    assertThat(keys(scan(KeyRange.ALL, 100)))
        .containsExactly(bytes(0x00), bytes(0x01), bytes(0x7F), bytes(0x80), bytes(0x80, 0x00), bytes(0xFF));
  }

  @Test
  void rangeIsHalfOpenAndHasMoreTellsIfAnotherKeyFollows() {
    putAll(key("a"), key("b"), key("c"), key("d"));
    KeyRange bToD = new KeyRange(key("b"), key("d"));
    assertThat(scan(bToD, 10)).satisfies(page -> {
      assertThat(keys(page)).containsExactly(key("b"), key("c"));
      assertThat(page.hasMore()).isFalse();
    });
    assertThat(scan(bToD, 1)).satisfies(page -> {
      assertThat(keys(page)).containsExactly(key("b"));
      assertThat(page.hasMore()).isTrue();
    });
    assertThat(scan(bToD, 2).hasMore()).as("page ends exactly at the last key in range").isFalse();
    assertThat(scan(new KeyRange(key("bb"), ByteString.EMPTY), 10).entries()).hasSize(2);
    assertThat(scan(new KeyRange(key("c"), key("b")), 10)).isEqualTo(new ScanPage(List.of(), false));
    assertThat(scan(KeyRange.ALL, 3).hasMore()).isTrue();
    assertThat(scan(KeyRange.ALL, 4).hasMore()).isFalse();
  }

  @Test
  void prefixScans() {
    putAll(key("a"), key("ab"), key("abc"), key("ac"), key("b"));
    assertThat(keys(scan(KeyRange.prefix(key("ab")), 10))).containsExactly(key("ab"), key("abc"));
    assertThat(keys(scan(KeyRange.prefix(ByteString.EMPTY), 10))).hasSize(5);
    assertThat(scan(KeyRange.prefix(key("zz")), 10).entries()).isEmpty();
  }

  @Test
  void prefixScansOverFfBytes() {
    putAll(bytes(0xFE), bytes(0xFE, 0xFF), bytes(0xFF), bytes(0xFF, 0x00), bytes(0xFF, 0xFF),
        bytes(0xFF, 0xFF, 0x01));
    assertThat(keys(scan(KeyRange.prefix(bytes(0xFF, 0xFF)), 10)))
        .containsExactly(bytes(0xFF, 0xFF), bytes(0xFF, 0xFF, 0x01));
    assertThat(keys(scan(KeyRange.prefix(bytes(0xFF)), 10)))
        .containsExactly(bytes(0xFF), bytes(0xFF, 0x00), bytes(0xFF, 0xFF), bytes(0xFF, 0xFF, 0x01));
    assertThat(keys(scan(KeyRange.prefix(bytes(0xFE)), 10))).containsExactly(bytes(0xFE), bytes(0xFE, 0xFF));
  }

  @Test
  void maxBytesEndsThePageAfterTheEntryThatReachesIt() {
    putAll(key("a"), key("b"), key("c"));
    try (ReadView view = store.openView()) {
      int entrySize = view.get(key("a"), false).orElseThrow().getSerializedSize();

      ScanPage tiny = view.scan(KeyRange.ALL, 10, 1, false);
      assertThat(keys(tiny)).containsExactly(key("a"));
      assertThat(tiny.hasMore()).isTrue();

      ScanPage two = view.scan(KeyRange.ALL, 10, entrySize + 1, false);
      assertThat(keys(two)).containsExactly(key("a"), key("b"));

      ScanPage exact = view.scan(KeyRange.ALL, 10, 2L * entrySize, false);
      assertThat(keys(exact)).containsExactly(key("a"), key("b"));
      assertThat(exact.hasMore()).isTrue();
    }
  }

  @Test
  void invalidPageBoundsAreRejected() {
    try (ReadView view = store.openView()) {
      assertThatThrownBy(() -> view.scan(KeyRange.ALL, 0, 10, false)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> view.scan(KeyRange.ALL, 10, 0, false)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void closedViewsAndViewsOfAClosedStoreFailCleanly() {
    putAll(key("a"));
    ReadView closedView = store.openView();
    closedView.close();
    closedView.close();
    assertThatThrownBy(() -> closedView.get(key("a"), false)).isInstanceOf(IllegalStateException.class);

    ReadView open = store.openView();
    store.close();
    // A view closed under a query (shutdown, snapshot install) says so with its own type: callers retry.
    assertThatThrownBy(() -> open.get(key("a"), false)).isInstanceOf(ReadViewClosedException.class);
    assertThatThrownBy(() -> open.scan(KeyRange.ALL, 1, 1, false)).isInstanceOf(ReadViewClosedException.class);
    open.close();
    assertThatThrownBy(store::openView).isInstanceOf(IllegalStateException.class);
    store.close();
  }

  @Test
  void commitMustMoveTheAppliedIndexForward() {
    putAll(key("a"));
    assertThatThrownBy(() -> store.commit(new WriteSet(), new SessionWrites(), AppliedIndex.newBuilder().setIndex(1).build(),
        0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void stateSurvivesReopen() {
    putAll(key("a"), key("b"));
    store.close();
    store = RocksKvStore.open(dir);
    assertThat(store.applied()).isEqualTo(AppliedIndex.newBuilder().setTerm(1).setIndex(1).build());
    assertThat(store.get(key("b"))).isPresent();
    assertThat(store.logClockMillis()).isEqualTo(1);
  }

  @Test
  void aPointReadReturnsTheKeyWithTheAppliedIndexOfItsState() {
    putAll(key("a"));
    putAll(key("b"));

    PointRead a = store.readKey(key("a"), false);
    assertThat(a.appliedIndex()).isEqualTo(2);
    assertThat(a.kv()).map(KeyValue::getModIndex).contains(1L);
    assertThat(a.kv()).map(KeyValue::getValue).contains(text("v:61"));
    PointRead keyOnly = store.readKey(key("b"), true);
    assertThat(keyOnly.kv()).map(KeyValue::hasValue).contains(false);
    assertThat(store.readKey(key("c"), false)).isEqualTo(new PointRead(Optional.empty(), 2));
  }

  /** A key rewritten by every commit must always come back with the very index its state was read at. */
  @Test
  void pointReadsDuringCommitsSeeExactlyTheStateOfTheirAppliedIndex() throws Exception {
    putAll(key("hot"));
    AtomicBoolean done = new AtomicBoolean();
    AtomicLong reads = new AtomicLong();
    AtomicReference<String> mismatch = new AtomicReference<>();
    Thread reader = new Thread(() -> {
      while (!done.get() && mismatch.get() == null) {
        PointRead read = store.readKey(key("hot"), true);
        long modIndex = read.kv().orElseThrow().getModIndex();
        if (modIndex != read.appliedIndex()) {
          mismatch.set("read mod index " + modIndex + " reported at applied index " + read.appliedIndex());
        }
        reads.incrementAndGet();
      }
    });
    reader.start();
    try {
      for (int i = 0; i < 3000 && mismatch.get() == null; i++) {
        putAll(key("hot"));
      }
    } finally {
      done.set(true);
      reader.join();
    }

    assertThat(mismatch.get()).isNull();
    assertThat(reads.get()).isPositive();
  }

  @Test
  void aPointReadOnAClosedStoreFails() {
    putAll(key("a"));
    store.close();

    assertThatThrownBy(() -> store.readKey(key("a"), false)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }
}
