package io.quorumkv.bench;

/**
 * What to run. Durations in nanoseconds. {@link #validate()} checks the values and throws {@link
 * IllegalArgumentException} with a message for the user.
 *
 * @param workload what each operation is
 * @param clients logical clients, each with one operation in flight at a time
 * @param keys size of the key space (keys 0 .. keys-1)
 * @param keyBytes length of every key (a letter and a zero-padded decimal number)
 * @param valueBytes length of every value
 * @param batchSize puts per batch (the batch workload)
 * @param readRatio share of gets in the mixed workload
 * @param warmupNanos run before measuring
 * @param durationNanos measured interval
 * @param seed seeds every key and value choice
 */
public record BenchConfig(
    Workload workload,
    int clients,
    long keys,
    int keyBytes,
    int valueBytes,
    int batchSize,
    double readRatio,
    long warmupNanos,
    long durationNanos,
    long seed) {

  public static final int MAX_KEY_BYTES = 4096;
  public static final int MAX_VALUE_BYTES = 1 << 20;
  public static final int MAX_BATCH_SIZE = 1000;
  public static final int MAX_BATCH_BYTES = 4 << 20;

  public BenchConfig validate() {
    check(workload != null, "no workload");
    check(clients >= 1, "--clients must be at least 1: " + clients);
    check(keys >= 1, "--keys must be at least 1: " + keys);
    check(keyBytes >= 1 && keyBytes <= MAX_KEY_BYTES,
        "--key-bytes must be in 1.." + MAX_KEY_BYTES + ": " + keyBytes);
    int digits = Long.toString(keys - 1).length();
    check(keyBytes >= 1 + digits,
        "--key-bytes " + keyBytes + " is too short for " + keys + " keys: needs at least " + (1 + digits));
    check(valueBytes >= 0 && valueBytes <= MAX_VALUE_BYTES,
        "--value-bytes must be in 0.." + MAX_VALUE_BYTES + ": " + valueBytes);
    check(batchSize >= 1 && batchSize <= MAX_BATCH_SIZE,
        "--batch-size must be in 1.." + MAX_BATCH_SIZE + ": " + batchSize);
    check(workload != Workload.BATCH || batchSize <= keys,
        "--batch-size must not exceed --keys (a batch writes distinct keys): " + batchSize + " > " + keys);
    check(workload != Workload.BATCH || (long) batchSize * (keyBytes + valueBytes) <= MAX_BATCH_BYTES,
        "--batch-size x (--key-bytes + --value-bytes) exceeds the 4 MiB batch limit");
    check(readRatio >= 0 && readRatio <= 1, "--read-ratio must be in 0..1: " + readRatio);
    check(warmupNanos >= 0, "--warmup must not be negative");
    check(durationNanos > 0, "--duration must be positive");
    return this;
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** Keys written per operation: batch-size for batch, else 1. */
  public int keysPerOp() {
    return workload == Workload.BATCH ? batchSize : 1;
  }
}
