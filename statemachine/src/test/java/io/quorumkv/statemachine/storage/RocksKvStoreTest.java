package io.quorumkv.statemachine.storage;

import static io.quorumkv.statemachine.TestCommands.key;
import static io.quorumkv.statemachine.TestCommands.put;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;

import io.quorumkv.proto.internal.AppliedIndex;
import io.quorumkv.proto.internal.StoredValue;
import io.quorumkv.statemachine.core.KvCore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/** Batched reads, and opening stores written by earlier versions. */
class RocksKvStoreTest {

  @TempDir
  Path dir;

  @Test
  void getAllReadsWhatGetReadsAndLeavesAbsentKeysOut() {
    try (RocksKvStore store = RocksKvStore.open(dir)) {
      KvCore core = new KvCore(store);
      for (int i = 1; i <= 50; i++) {
        core.apply(put("k" + i, "v" + i), 1, i);
      }
      core.apply(put("k7", "again"), 1, 51);
      List<ByteString> keys = List.of(key("k7"), key("absent"), key("k50"), key(""), key("k1"));

      Map<ByteString, StoredValue> all = store.getAll(keys);

      assertThat(all).containsOnlyKeys(key("k7"), key("k50"), key("k1"));
      for (ByteString k : keys) {
        assertThat(Optional.ofNullable(all.get(k))).isEqualTo(store.get(k));
      }
      assertThat(all.get(key("k7")).getVersion()).isEqualTo(2);
      assertThat(store.getAll(List.of())).isEmpty();
    }
  }

  @Test
  void aStoreFromBeforeSessionsOpensAndDropsItsPerEntryResults() throws Exception {
    byte[] results = "results".getBytes(StandardCharsets.US_ASCII);
    byte[] meta = "meta".getBytes(StandardCharsets.US_ASCII);
    AppliedIndex applied = AppliedIndex.newBuilder().setTerm(2).setIndex(41).build();
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try (DBOptions options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
        RocksDB old = RocksDB.open(options, dir.toString(), List.of(
            new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY), new ColumnFamilyDescriptor(meta),
            new ColumnFamilyDescriptor(results)), handles)) {
      old.put(handles.get(1), "applied".getBytes(StandardCharsets.US_ASCII), applied.toByteArray());
      old.put(handles.get(2), new byte[8], new byte[] {1});
      handles.forEach(ColumnFamilyHandle::close);
    }

    try (RocksKvStore store = RocksKvStore.open(dir)) {
      assertThat(store.applied()).isEqualTo(applied);
      assertThat(store.logClockMillis()).isZero();
    }
    try (Options options = new Options()) {
      assertThat(RocksDB.listColumnFamilies(options, dir.toString()))
          .extracting(name -> new String(name, StandardCharsets.US_ASCII))
          .containsExactlyInAnyOrder("default", "meta", "sessions", "session_results");
    }
  }
}
