package io.quorumkv.statemachine.storage;

/**
 * The storage engine's own figures (RocksDB properties, summed over its column families), for metrics.
 *
 * @param sstBytes size of the live SST files ({@code rocksdb.total-sst-files-size})
 * @param liveDataBytes estimated size of the live data ({@code rocksdb.estimate-live-data-size})
 * @param memtableBytes memory of all memtables ({@code rocksdb.cur-size-all-mem-tables})
 * @param pendingCompactionBytes bytes compaction still has to rewrite ({@code
 *     rocksdb.estimate-pending-compaction-bytes})
 * @param runningCompactions compactions running now ({@code rocksdb.num-running-compactions})
 * @param level0Files files in level 0 ({@code rocksdb.num-files-at-level0}); writes slow down when many
 */
public record StoreStats(long sstBytes, long liveDataBytes, long memtableBytes, long pendingCompactionBytes,
    long runningCompactions, long level0Files) {

  public static final StoreStats NONE = new StoreStats(0, 0, 0, 0, 0, 0);
}
