package io.quorumkv.cli;

import io.quorumkv.client.BackupResult;
import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.client.ReadOptions;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "backup",
    description = {
      "Takes an online, consistent backup of one member into DIR (absent or empty): the member's",
      "checkpoint files and backup.json (applied index, sizes, SHA-256). By default the backup holds",
      "every write acknowledged before the command started. Restore it with `quorumkv restore`."
    })
final class BackupCommand extends ClientCommand {
  private static final long PROGRESS_EVERY_NANOS = 2_000_000_000L;

  @Parameters(index = "0", paramLabel = "DIR")
  Path dir;

  @Option(names = "--member-endpoint", paramLabel = "HOST:PORT",
      description = "The member to back up (default: the first of --endpoints).")
  String member;

  @Option(names = "--stale", description = "Back up the member's current state without asking the leader.")
  boolean stale;

  @Override
  int run(QuorumKvClient client) {
    String endpoint = member != null ? member : client.endpoints().get(0);
    long[] lastReport = {System.nanoTime()};
    BackupResult r = client.admin().backup(endpoint, dir,
        stale ? ReadOptions.stale(0) : ReadOptions.linearizable(),
        progress -> {
          long now = System.nanoTime();
          if (now - lastReport[0] >= PROGRESS_EVERY_NANOS) {
            lastReport[0] = now;
            err().println("backup: " + progress);
            err().flush();
          }
        });
    out().printf("backup of %s at index %d (term %d): %d files, %d bytes in %s%n", r.member(), r.appliedIndex(),
        r.appliedTerm(), r.files(), r.bytes(), r.directory());
    return ExitCodes.OK;
  }
}
