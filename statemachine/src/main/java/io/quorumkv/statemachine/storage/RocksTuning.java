package io.quorumkv.statemachine.storage;

import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.BuiltinComparator;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;

/**
 * RocksDB options sized for a small node (2 cores, a few GB of RAM): a modest shared block cache, small
 * memtables and two background jobs. Every native object created here is tracked by the given
 * {@link NativeResources}.
 */
final class RocksTuning {

  private static final long BLOCK_CACHE_BYTES = 32L << 20;
  private static final long DATA_WRITE_BUFFER_BYTES = 16L << 20;
  private static final long SMALL_WRITE_BUFFER_BYTES = 2L << 20;
  // Every entry writes the meta and session families too; cap the WAL so their memtables get flushed
  // and old WAL files can go, rather than waiting for the data family to fill.
  private static final long MAX_TOTAL_WAL_BYTES = 64L << 20;

  private final NativeResources resources;
  private final LRUCache blockCache;

  RocksTuning(NativeResources resources) {
    this.resources = resources;
    this.blockCache = resources.track(new LRUCache(BLOCK_CACHE_BYTES));
  }

  DBOptions dbOptions() {
    return resources.track(new DBOptions())
        .setCreateIfMissing(true)
        .setCreateMissingColumnFamilies(true)
        .setMaxBackgroundJobs(2)
        .setMaxTotalWalSize(MAX_TOTAL_WAL_BYTES)
        .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
        .setKeepLogFileNum(2)
        .setMaxLogFileSize(1L << 20);
  }

  /** Options of the user-key family: point lookups and ordered scans. */
  ColumnFamilyOptions dataOptions() {
    return columnFamily(DATA_WRITE_BUFFER_BYTES, true);
  }

  /** Options of the small bookkeeping families (applied index, sessions). */
  ColumnFamilyOptions smallOptions() {
    return columnFamily(SMALL_WRITE_BUFFER_BYTES, false);
  }

  private ColumnFamilyOptions columnFamily(long writeBufferBytes, boolean bloomFilter) {
    BlockBasedTableConfig table = new BlockBasedTableConfig()
        .setBlockCache(blockCache)
        // Index and filter blocks count against the cache, so memory stays bounded as data grows.
        .setCacheIndexAndFilterBlocks(true);
    if (bloomFilter) {
      table.setFilterPolicy(resources.track(new BloomFilter(10)));
    }
    return resources.track(new ColumnFamilyOptions())
        // The default already, stated because the API promises unsigned-lexicographic key order.
        .setComparator(BuiltinComparator.BYTEWISE_COMPARATOR)
        .setWriteBufferSize(writeBufferBytes)
        .setMaxWriteBufferNumber(2)
        .setTableFormatConfig(table);
  }
}
