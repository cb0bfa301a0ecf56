package io.quorumkv.client;

/**
 * How far a backup transfer is, reported as chunks arrive.
 *
 * @param bytesReceived bytes written so far
 * @param bytesTotal    total size of the backup's files
 * @param filesDone     files completely received
 * @param filesTotal    number of files in the backup
 */
public record BackupProgress(long bytesReceived, long bytesTotal, int filesDone, int filesTotal) {

  /** Percentage of the bytes received, 100 for an empty backup. */
  public int percent() {
    return bytesTotal == 0 ? 100 : (int) (bytesReceived * 100 / bytesTotal);
  }

  @Override
  public String toString() {
    return String.format("%.1f of %.1f MB (%d%%), %d of %d files", bytesReceived / 1e6, bytesTotal / 1e6, percent(),
        filesDone, filesTotal);
  }
}
