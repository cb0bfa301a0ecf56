package io.quorumkv.bench;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Keys and values of a run. Key i is a letter ('k' for data, 'c' for counters) and i in decimal,
 * zero-padded to key-bytes ({@code k000000000012345}). Values are slices, at random offsets, of a block
 * of random bytes made from the seed. Thread-safe (the randoms are the callers').
 */
final class KeyValues {
  private final BenchConfig config;
  private final byte[] pool;

  KeyValues(BenchConfig config) {
    this.config = config;
    this.pool = new byte[Math.max(1 << 20, 2 * config.valueBytes())];
    new SplittableRandom(config.seed() ^ 0x5DEECE66DL).nextBytes(pool);
  }

  byte[] key(char letter, long i) {
    byte[] key = new byte[config.keyBytes()];
    key[0] = (byte) letter;
    long n = i;
    for (int p = key.length - 1; p >= 1; p--) {
      key[p] = (byte) ('0' + n % 10);
      n /= 10;
    }
    return key;
  }

  byte[] randomKey(SplittableRandom random) {
    return key('k', random.nextLong(config.keys()));
  }

  byte[] randomCounter(SplittableRandom random) {
    return key('c', random.nextLong(config.keys()));
  }

  byte[] value(SplittableRandom random) {
    int off = random.nextInt(pool.length - config.valueBytes() + 1);
    return Arrays.copyOfRange(pool, off, off + config.valueBytes());
  }

  /** Keys from..to-1 in order with random values: a batch of the fill. */
  void fillBatch(long from, long to, SplittableRandom random, List<byte[]> keys, List<byte[]> values) {
    for (long i = from; i < to; i++) {
      keys.add(key('k', i));
      values.add(value(random));
    }
  }
}
