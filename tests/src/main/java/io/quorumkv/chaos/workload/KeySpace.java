package io.quorumkv.chaos.workload;

/**
 * The keys of one run, all under a run-specific prefix so that data left by earlier runs on the same
 * cluster cannot be mistaken for this run's: a few shared register keys (put / get / delete / batch, so that
 * operations overlap), a few counter keys (INCR and get only, so that their final value can be bounded),
 * and unique keys that are written once each (for the lost-write check).
 *
 * @param prefix run-specific prefix, e.g. {@code chaos/1234-5678/}
 * @param registers number of register keys
 * @param counters number of counter keys
 */
public record KeySpace(String prefix, int registers, int counters) {

  public KeySpace {
    if (registers < 1 || counters < 1) {
      throw new IllegalArgumentException("need at least one register and one counter key");
    }
  }

  public String register(int i) {
    return prefix + "r/" + i;
  }

  public String counter(int i) {
    return prefix + "c/" + i;
  }

  /** The {@code seq}-th unique key of a client; {@code part} tells apart the keys of one batch. */
  public String unique(int process, long seq, int part) {
    return prefix + "u/" + process + "/" + seq + "." + part;
  }

  /** The prefix of every unique key. */
  public String uniquePrefix() {
    return prefix + "u/";
  }

  public boolean isUnique(String key) {
    return key.startsWith(uniquePrefix());
  }

  public boolean isCounter(String key) {
    return key.startsWith(prefix + "c/");
  }
}
