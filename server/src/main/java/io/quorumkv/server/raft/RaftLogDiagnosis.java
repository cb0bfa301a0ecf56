package io.quorumkv.server.raft;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.raftlog.segmented.LogSegment;
import org.apache.ratis.server.raftlog.segmented.LogSegmentPath;
import org.apache.ratis.util.SizeInBytes;

/**
 * Finds which Raft log segment a member cannot read. Ratis refuses to start on a corrupt segment (a
 * checksum mismatch anywhere, as opposed to a last entry cut short, which it drops) but does not say
 * which file; this re-reads every segment with Ratis' own reader to name it.
 */
public final class RaftLogDiagnosis {
  private RaftLogDiagnosis() {}

  /** A description of the first unreadable segment under a member's Raft storage dir, if any. */
  public static Optional<String> findCorruptSegment(Path raftStorageDir, long maxEntryBytes) throws IOException {
    if (!Files.isDirectory(raftStorageDir)) {
      return Optional.empty();
    }
    List<Path> segments;
    try (Stream<Path> files = Files.walk(raftStorageDir, 3)) {
      segments = files.filter(p -> p.getParent().getFileName().toString().equals("current"))
          .filter(p -> p.getFileName().toString().startsWith("log_")).sorted().toList();
    }
    for (Path segment : segments) {
      LogSegmentPath parsed = LogSegmentPath.matchLogSegment(segment);
      if (parsed == null) {
        continue;
      }
      try {
        LogSegment.readSegmentFile(segment.toFile(), parsed.getStartEnd(), SizeInBytes.valueOf(maxEntryBytes),
            RaftServerConfigKeys.Log.CorruptionPolicy.EXCEPTION, null, null);
      } catch (IOException | RuntimeException e) {
        return Optional.of("Raft log segment " + segment + " is corrupt: " + e.getMessage());
      }
    }
    return Optional.empty();
  }
}
