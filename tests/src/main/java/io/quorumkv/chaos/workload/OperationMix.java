package io.quorumkv.chaos.workload;

import java.util.Random;

/** The kinds of operation a client picks from, with their weights. */
enum OperationMix {
  GET_REGISTER(30),
  PUT_REGISTER(20),
  DELETE_REGISTER(5),
  BATCH(10),
  INCR_COUNTER(15),
  GET_COUNTER(5),
  PUT_UNIQUE(15);

  private static final int TOTAL = java.util.Arrays.stream(values()).mapToInt(k -> k.weight).sum();

  private final int weight;

  OperationMix(int weight) {
    this.weight = weight;
  }

  static OperationMix pick(Random random) {
    int r = random.nextInt(TOTAL);
    for (OperationMix kind : values()) {
      r -= kind.weight;
      if (r < 0) {
        return kind;
      }
    }
    throw new AssertionError("weights sum to TOTAL");
  }
}
