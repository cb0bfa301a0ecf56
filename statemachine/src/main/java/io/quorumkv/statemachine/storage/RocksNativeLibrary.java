package io.quorumkv.statemachine.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.RocksDB;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads RocksDB's native library and removes the copy of it that RocksDB extracts from its jar into the
 * temporary directory. RocksDB deletes that copy only when the JVM exits normally, so each member that is
 * SIGKILLed or stopped by an OutOfMemoryError would leave about 15 MB behind in /tmp. A loaded library
 * stays mapped after its file is unlinked, so the copy goes as soon as the library is loaded. Only files
 * this process has mapped are touched; without /proc/self/maps (not Linux) the exit-time deletion remains.
 */
final class RocksNativeLibrary {
  private static final Logger LOG = LoggerFactory.getLogger(RocksNativeLibrary.class);
  private static final Path MAPS = Path.of("/proc/self/maps");

  private RocksNativeLibrary() {}

  static void load() {
    RocksDB.loadLibrary();
    if (!Files.isReadable(MAPS)) {
      return;
    }
    try {
      for (Path copy : extractedCopies(Files.readAllLines(MAPS), extractionDirs())) {
        Files.deleteIfExists(copy);
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("could not remove the extracted RocksDB library: {}", e.toString());
    }
  }

  /** Where RocksDB extracts its library: ROCKSDB_SHAREDLIB_DIR if set, else java.io.tmpdir. */
  private static List<Path> extractionDirs() {
    List<Path> dirs = new ArrayList<>();
    String shared = System.getenv("ROCKSDB_SHAREDLIB_DIR");
    if (shared != null && !shared.isBlank()) {
      dirs.add(Path.of(shared).toAbsolutePath().normalize());
    }
    dirs.add(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize());
    return dirs;
  }

  /**
   * The RocksDB library files among the mapped files of {@code mapsLines} (the format of
   * /proc/self/maps) that lie directly in one of {@code dirs}; each once, unlinked ones left out.
   */
  static List<Path> extractedCopies(List<String> mapsLines, List<Path> dirs) {
    List<Path> copies = new ArrayList<>();
    for (String line : mapsLines) {
      int slash = line.indexOf('/');
      if (slash < 0 || line.endsWith(" (deleted)")) {
        continue;
      }
      Path file = Path.of(line.substring(slash)).normalize();
      String name = file.getFileName().toString();
      if (name.startsWith("librocksdbjni") && name.endsWith(".so") && dirs.contains(file.getParent())
          && !copies.contains(file)) {
        copies.add(file);
      }
    }
    return copies;
  }
}
