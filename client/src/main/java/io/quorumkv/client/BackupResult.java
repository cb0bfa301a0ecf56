package io.quorumkv.client;

import java.nio.file.Path;

/**
 * A completed backup on local disk.
 *
 * @param directory    where it was written; {@value AdminClient#MANIFEST_FILE} describes it
 * @param clusterId    name of the cluster it was taken from
 * @param member       id of the member it was taken from
 * @param appliedTerm  term of the Raft entry the backup reflects
 * @param appliedIndex the backup holds every write applied at or below this index and none above
 * @param files        number of files
 * @param bytes        total size of the files
 */
public record BackupResult(
    Path directory, String clusterId, String member, long appliedTerm, long appliedIndex, int files, long bytes) {}
