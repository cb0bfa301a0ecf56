package io.quorumkv.statemachine.snapshot;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A consistent copy of a replica's store, taken online for a backup.
 *
 * @param dir the directory holding the copy: a complete RocksDB database, self-contained (no reference to
 *     the live store) though its SST files may be hard links to the live store's
 * @param term term of the last log entry whose effects the copy holds
 * @param index index of that entry: the copy holds exactly the entries up to it
 */
public record BackupCheckpoint(Path dir, long term, long index) {

  public BackupCheckpoint {
    Objects.requireNonNull(dir, "dir");
  }
}
