package io.quorumkv.server.launch;

import io.quorumkv.proto.v1.BackupFile;
import io.quorumkv.proto.v1.BackupManifest;
import io.quorumkv.server.Directories;
import io.quorumkv.server.config.ClusterConfig;
import io.quorumkv.server.config.ClusterConfigReader;
import io.quorumkv.server.restore.BackupDirectory;
import io.quorumkv.server.restore.RestoreException;
import io.quorumkv.statemachine.snapshot.SeedRestore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.ratis.server.protocol.TermIndex;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code quorumkv restore}: turns a backup into a member's data dir, offline. */
@Command(name = "restore", mixinStandardHelpOptions = true,
    description = {"Restore a backup (from `quorumkv backup`) into an empty member data dir, offline.",
        "The member then starts holding exactly the backup's data and continues the Raft log after it.",
        "For a cluster of several members, restore EVERY member from the SAME backup before starting any."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:restored", "1:refused (incomplete or altered backup, data dir not empty)", "2:usage error"})
final class RestoreCommand implements Callable<Integer> {
  @Option(names = "--from", required = true, paramLabel = "BACKUP_DIR", description = "The backup directory.")
  Path from;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Target target;

  static final class Target {
    @ArgGroup(exclusive = false)
    DataDir data;

    @ArgGroup(exclusive = false)
    Member member;
  }

  static final class DataDir {
    @Option(names = "--data", required = true, paramLabel = "DIR", description = "The member's data dir (empty).")
    Path dir;

    @Option(names = "--cluster", paramLabel = "NAME",
        description = "Name of the cluster the member will run in (default: the cluster the backup came from).")
    String cluster;
  }

  static final class Member {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The cluster file.")
    Path config;

    @Option(names = "--node", required = true, paramLabel = "ID", description = "The member to restore.")
    String node;
  }

  @Override
  public Integer call() throws IOException {
    try {
      BackupDirectory backup = BackupDirectory.open(from);
      BackupManifest manifest = backup.manifest();
      Path dataDir;
      UUID groupId;
      if (target.member != null) {
        ClusterConfig cluster = ClusterConfigReader.read(target.member.config);
        dataDir = cluster.requireNode(target.member.node).dataDir();
        groupId = cluster.clusterId();
      } else {
        dataDir = target.data.dir.toAbsolutePath().normalize();
        groupId = target.data.cluster != null ? ClusterConfig.clusterIdOf(target.data.cluster)
            : UUID.fromString(manifest.getClusterId());
      }
      TermIndex restored = restore(backup, dataDir, groupId);
      System.out.printf("restored the backup of %s at index %d (term %d) into %s%n", manifest.getMemberId(),
          restored.getIndex(), restored.getTerm(), dataDir);
      System.out.println("start the member as usual (quorumkv node --config FILE --node ID); in a cluster of"
          + " several members, restore every member from this same backup before starting any.");
      return 0;
    } catch (RestoreException | IllegalArgumentException e) {
      System.err.println("quorumkv restore: " + e.getMessage());
      return 1;
    }
  }

  private static TermIndex restore(BackupDirectory backup, Path dataDir, UUID groupId) throws IOException {
    Path db = dataDir.resolve("db");
    Path ratis = dataDir.resolve("ratis");
    if (!Directories.isAbsentOrEmpty(db) || Files.exists(ratis.resolve(groupId.toString()))) {
      throw new RestoreException(dataDir + " already holds a member's data; restore only into an empty data dir"
          + " (move the old one aside first)");
    }
    // The checkpoint's files without the manifest; hard links where the backup is on the same filesystem.
    Path staging = dataDir.resolve("restore-staging");
    Directories.deleteRecursively(staging);
    Files.createDirectories(staging);
    try {
      for (BackupFile f : backup.manifest().getFilesList()) {
        Path source = backup.dir().resolve(f.getName());
        try {
          Files.createLink(staging.resolve(f.getName()), source);
        } catch (IOException | UnsupportedOperationException e) {
          Files.copy(source, staging.resolve(f.getName()));
        }
      }
      return SeedRestore.prepare(staging, db, ratis, groupId);
    } finally {
      Directories.deleteRecursively(staging);
    }
  }
}
