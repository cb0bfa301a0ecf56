package io.quorumkv.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.client.Values;
import io.quorumkv.server.config.LogSettings;
import io.quorumkv.server.Directories;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.raftlog.segmented.LogSegment;
import org.apache.ratis.server.raftlog.segmented.LogSegmentPath;
import org.apache.ratis.server.raftlog.segmented.SegmentedRaftLogFormat;
import org.apache.ratis.thirdparty.com.google.protobuf.CodedOutputStream;
import org.apache.ratis.util.SizeInBytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Damage to a stopped member's Raft log. A torn last entry (a write cut off by power loss) is dropped and
 * the member comes back; other corruption stops the member at start with an error naming the file, and
 * the documented remedy (wipe the member, let it re-sync) restores it. No acknowledged write is lost.
 *
 * <p>At {@link TestScale scale} N each test runs {@link TestScale#rounds()} rounds (2 up to scale 5, 3 at
 * 10) of stop / damage / recover, against a different follower each time when it can, with N times as many
 * writes before the damage and after it; every round checks all writes acknowledged so far.
 */
class CorruptLogIT {
  private ClusterWithClient fixture;
  private MiniCluster cluster;
  private QuorumKvClient kv;
  private final Map<String, String> acked = new HashMap<>();

  @BeforeEach
  void start() throws Exception {
    fixture = ClusterWithClient.start(LogSettings.DEFAULTS);
    cluster = fixture.cluster();
    kv = fixture.kv();
  }

  @AfterEach
  void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  private long write(String prefix, int n) {
    long last = 0;
    for (int i = 0; i < n; i++) {
      String key = prefix + i;
      last = kv.put(key, Values.text("value-" + key)).index();
      acked.put(key, "value-" + key);
    }
    return last;
  }

  /** Writes, then stops a follower (preferring one other than {@code previous}) that has applied it all. */
  private String stoppedFollowerWithLog(int round, String previous) throws Exception {
    String follower = cluster.aFollower(previous, Duration.ofSeconds(10));
    long last = write("before" + round + "/", TestScale.times(100));
    cluster.awaitApplied(follower, last, TestScale.timeout(Duration.ofSeconds(10)));
    cluster.stop(follower);
    return follower;
  }

  @Test
  void aTornLastEntryIsDroppedAndTheMemberCatchesUp() throws Exception {
    String previous = null;
    for (int round = 0; round < TestScale.rounds(); round++) {
      previous = tornLastEntryRound(round, previous);
    }
  }

  private String tornLastEntryRound(int round, String previous) throws Exception {
    String follower = stoppedFollowerWithLog(round, previous);
    Path segment = openSegment(follower);
    // Power loss in the middle of appending the next entry: its first bytes reached the disk, the rest
    // (and the segment's zero padding) did not.
    try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
      f.setLength(endOfEntries(segment));
      f.seek(f.length());
      f.write(new byte[] {40, 8, 1, 16, 7, 26, 5, 1, 2, 3, 4});
    }

    long last = write("after" + round + "/", TestScale.times(50));
    cluster.start(follower);
    cluster.awaitApplied(follower, last, TestScale.timeout(Duration.ofSeconds(30)));
    assertThat(Replicas.dump(cluster.endpoint(follower), last)).as("%s after round %d", follower, round)
        .containsAllEntriesOf(acked);
    return follower;
  }

  @Test
  void corruptionInsideTheLogStopsTheMemberNamingTheFileUntilItIsWiped() throws Exception {
    String previous = null;
    for (int round = 0; round < TestScale.rounds(); round++) {
      previous = corruptionRound(round, previous);
    }
  }

  private String corruptionRound(int round, String previous) throws Exception {
    String follower = stoppedFollowerWithLog(round, previous);
    Path segment = openSegment(follower);
    try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
      long middle = endOfEntries(segment) / 2;
      f.seek(middle);
      int b = f.read();
      f.seek(middle);
      f.write(b ^ 0x5a);
    }

    Throwable refused = catchThrowable(() -> cluster.start(follower));
    assertThat(refused).as("a member must not start on a corrupt log").isNotNull();
    assertThat(stackText(refused)).contains(segment.getFileName().toString());

    // The remedy from the README: wipe the member's data, start it, and have the leader step down (a
    // leader remembers what each follower acknowledged and would never resend it).
    Directories.deleteRecursively(cluster.dataDir(follower));
    long last = write("after" + round + "/", TestScale.times(50));
    cluster.start(follower);
    kv.transferLeadership(null);
    cluster.awaitApplied(follower, last, TestScale.timeout(Duration.ofSeconds(60)));
    assertThat(Replicas.dump(cluster.endpoint(follower), last)).as("%s after round %d", follower, round)
        .containsAllEntriesOf(acked);
    return follower;
  }

  private Path openSegment(String nodeId) throws IOException {
    try (Stream<Path> files = Files.walk(cluster.dataDir(nodeId).resolve("ratis"))) {
      return files.filter(p -> p.getFileName().toString().startsWith("log_inprogress_")).findFirst()
          .orElseThrow(() -> new AssertionError("no open log segment for " + nodeId));
    }
  }

  /** Where the last complete entry ends; after it, Ratis' segments hold zero padding. */
  private static long endOfEntries(Path segment) throws IOException {
    long[] end = {SegmentedRaftLogFormat.getHeaderLength()};
    LogSegment.readSegmentFile(segment.toFile(), LogSegmentPath.matchLogSegment(segment).getStartEnd(),
        SizeInBytes.valueOf(64L << 20), RaftServerConfigKeys.Log.CorruptionPolicy.EXCEPTION, null, entry -> {
          int size = entry.getSerializedSize();
          end[0] += CodedOutputStream.computeUInt32SizeNoTag(size) + size + 4; // length, entry, checksum
        });
    assertThat(end[0]).as("segment holds entries").isGreaterThan(100);
    return end[0];
  }

  private static String stackText(Throwable t) {
    StringBuilder text = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      text.append(c).append('\n');
    }
    return text.toString();
  }
}
