package io.quorumkv.statemachine.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class RocksNativeLibraryTest {
  private static final Path TMP = Path.of("/tmp");
  private static final Path MAPS = Path.of("/proc/self/maps");

  @Test
  void findsEachMappedCopyInTheExtractionDirectoryOnce() {
    List<String> maps = List.of(
        "7f1c2a000000-7f1c2a400000 r--p 00000000 fd:01 4242 /tmp/librocksdbjni123.so",
        "7f1c2a400000-7f1c2b000000 r-xp 00400000 fd:01 4242 /tmp/librocksdbjni123.so",
        "7f1c2c000000-7f1c2c100000 r-xp 00000000 fd:01 4243 /tmp/librocksdbjni999.so (deleted)",
        "7f1c2d000000-7f1c2d100000 r-xp 00000000 fd:01 4244 /opt/lib/librocksdbjni-linux64.so",
        "7f1c2e000000-7f1c2e100000 r-xp 00000000 fd:01 4245 /tmp/libonnxruntime.so",
        "7ffd1a000000-7ffd1a021000 rw-p 00000000 00:00 0 [stack]",
        "7f1c2f000000-7f1c2f001000 rw-p 00000000 00:00 0");

    assertThat(RocksNativeLibrary.extractedCopies(maps, List.of(TMP)))
        .containsExactly(Path.of("/tmp/librocksdbjni123.so"));
  }

  @Test
  void theLoadedLibraryLeavesNoCopyBehind() throws Exception {
    assumeTrue(Files.isReadable(MAPS), "needs /proc/self/maps (Linux)");
    RocksNativeLibrary.load();

    Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize();
    List<String> maps = Files.readAllLines(MAPS);
    assertThat(maps).anyMatch(line -> line.contains("librocksdbjni")); // loaded, so mapped
    for (Path copy : RocksNativeLibrary.extractedCopies(maps, List.of(tmp))) {
      assertThat(copy).doesNotExist();
    }
    assertThat(maps).anyMatch(line -> line.contains("librocksdbjni") && line.endsWith(" (deleted)"));
  }
}
