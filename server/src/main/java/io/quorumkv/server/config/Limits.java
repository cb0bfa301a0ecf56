package io.quorumkv.server.config;

/**
 * Request limits, enforced on the way in before anything is replicated (violations fail with
 * INVALID_ARGUMENT). The Raft log-entry and transport limits are derived from these in
 * {@code RaftPropertiesFactory} so that every accepted request fits in one log entry.
 */
public record Limits(
    int maxKeyBytes,
    int maxValueBytes,
    int maxBatchOperations,
    int maxBatchBytes,
    int defaultScanLimit,
    int maxScanLimit,
    int maxScanPageBytes,
    int maxMessageBytes) {

  public static final Limits DEFAULTS =
      new Limits(4 * 1024, 1024 * 1024, 1000, 4 * 1024 * 1024, 1000, 10_000, 4 * 1024 * 1024, 8 * 1024 * 1024);

  public Limits {
    requirePositive("max-key-bytes", maxKeyBytes);
    requirePositive("max-value-bytes", maxValueBytes);
    requirePositive("max-batch-operations", maxBatchOperations);
    requirePositive("max-batch-bytes", maxBatchBytes);
    requirePositive("default-scan-limit", defaultScanLimit);
    requirePositive("max-scan-limit", maxScanLimit);
    requirePositive("max-scan-page-bytes", maxScanPageBytes);
    requirePositive("max-message-bytes", maxMessageBytes);
    if (defaultScanLimit > maxScanLimit) {
      throw new ConfigException("limits.default-scan-limit must not exceed limits.max-scan-limit");
    }
    long largestWrite = Math.max((long) maxBatchBytes, (long) maxKeyBytes + maxValueBytes);
    if (largestWrite + 64 * 1024 > maxMessageBytes) {
      throw new ConfigException("limits.max-message-bytes (" + maxMessageBytes
          + ") must exceed the largest accepted write (" + largestWrite + " bytes) by at least 64 KiB");
    }
  }

  /**
   * Distinct texts of a value the semantic indexes may embed, over all indexes (each embedding rides in
   * the log with its put, so this bounds a command's size).
   */
  public static final int MAX_SEMANTIC_SOURCES = 2;
  /** Upper bound of one encoded embedding (384 floats, its source path and model name). */
  public static final int MAX_EMBEDDING_BYTES = 2048;

  /**
   * Upper bound of one encoded Command: the largest accepted write plus per-operation framing and the
   * leader's embeddings of each put.
   */
  public long maxCommandBytes() {
    long largestWrite = Math.max((long) maxBatchBytes, (long) maxKeyBytes + maxValueBytes);
    long embeddings = (long) maxBatchOperations * MAX_SEMANTIC_SOURCES * MAX_EMBEDDING_BYTES;
    return largestWrite + 16L * maxBatchOperations + embeddings + 1024;
  }

  private static void requirePositive(String key, int value) {
    if (value <= 0) {
      throw new ConfigException("limits." + key + " must be positive, got " + value);
    }
  }
}
