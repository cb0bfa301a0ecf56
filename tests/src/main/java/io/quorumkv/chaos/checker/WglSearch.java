package io.quorumkv.chaos.checker;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Decides whether one key's operations are linearizable against {@link RegisterModel}: the
 * Wing–Gong–Lowe search as Porcupine implements it. Calls and returns form a list ordered by time; the
 * search walks it, linearizing a call whenever the model allows it and backtracking when it meets the
 * return of an operation it has not linearized yet. A cache of (set of linearized operations, state)
 * prunes configurations already explored.
 *
 * <p>Operations with an unknown outcome have no return: they may be linearized any time after their call,
 * or never, and the search succeeds once every definite operation is linearized. Unknown operations that
 * are interchangeable ({@link KeyOp#interchangeClass()}) are only linearized in invocation order, which
 * loses no linearization (an earlier one's interval contains a later one's) and keeps many concurrent
 * unknown INCRs from multiplying the search space.
 *
 * <p>The set of linearized operations is cached as a 128-bit Zobrist hash, not as a bit set, so that long
 * histories fit in memory; a false "not linearizable" would need two distinct sets with the same 128-bit
 * hash and the same state.
 */
final class WglSearch {
  /** Verdict of one search. */
  enum Verdict { LINEARIZABLE, NOT_LINEARIZABLE, INCONCLUSIVE }

  private static final int HEAD = 0;

  private final List<KeyOp> ops;
  private final long budget;

  /**
   * @param ops one key's operations, in any order
   * @param budget maximum number of search steps before giving up with {@link Verdict#INCONCLUSIVE}
   */
  WglSearch(List<KeyOp> ops, long budget) {
    this.ops = List.copyOf(ops);
    this.budget = budget;
  }

  Verdict run() {
    int n = ops.size();
    // Entry e in 1..2n: calls and returns, linked in time order behind the HEAD sentinel (0).
    List<int[]> events = new ArrayList<>(); // {time-rank source: op index, 0 = call / 1 = return}
    for (int i = 0; i < n; i++) {
      events.add(new int[] {i, 0});
      if (ops.get(i).definite()) {
        events.add(new int[] {i, 1});
      }
    }
    // At equal times calls go first: treating touching intervals as concurrent never rejects a valid
    // history.
    events.sort(Comparator.<int[]>comparingLong(e -> e[1] == 0 ? ops.get(e[0]).invokeNanos()
            : ops.get(e[0]).completeNanos())
        .thenComparingInt(e -> e[1]));
    int entries = events.size();
    int[] next = new int[entries + 2];
    int[] prev = new int[entries + 2];
    int[] opOf = new int[entries + 2];
    boolean[] isCall = new boolean[entries + 2];
    int[] returnEntry = new int[n];
    Arrays.fill(returnEntry, -1);
    for (int k = 0; k < entries; k++) {
      int e = k + 1;
      int[] ev = events.get(k);
      opOf[e] = ev[0];
      isCall[e] = ev[1] == 0;
      if (!isCall[e]) {
        returnEntry[ev[0]] = e;
      }
      prev[e] = e - 1;
      next[e] = k + 1 < entries ? e + 1 : -1;
    }
    next[HEAD] = entries > 0 ? 1 : -1;

    int[] classPredecessor = classPredecessors();
    long[] zobristHi = new long[n];
    long[] zobristLo = new long[n];
    SplittableRandom random = new SplittableRandom(0x5eed_c4a05L); // fixed: hashing, not a test input
    for (int i = 0; i < n; i++) {
      zobristHi[i] = random.nextLong();
      zobristLo[i] = random.nextLong();
    }

    boolean[] linearized = new boolean[n];
    int remainingDefinite = (int) ops.stream().filter(KeyOp::definite).count();
    Set<CacheKey> cache = new HashSet<>();
    Deque<Frame> stack = new ArrayDeque<>();
    String state = null;
    long hashHi = 0;
    long hashLo = 0;
    long steps = 0;
    int entry = next[HEAD];
    while (remainingDefinite > 0) {
      if (++steps > budget) {
        return Verdict.INCONCLUSIVE;
      }
      if (entry == -1) {
        // Only unknown calls were left to try and none helped: the same as meeting a return.
        entry = backtrackTarget(stack);
      } else if (isCall[entry]) {
        int op = opOf[entry];
        KeyOp keyOp = ops.get(op);
        int pred = classPredecessor[op];
        if ((pred < 0 || linearized[pred]) && RegisterModel.allows(state, keyOp)) {
          String newState = RegisterModel.apply(state, keyOp);
          long newHi = hashHi ^ zobristHi[op];
          long newLo = hashLo ^ zobristLo[op];
          if (cache.add(new CacheKey(newHi, newLo, newState))) {
            stack.push(new Frame(entry, state, hashHi, hashLo));
            state = newState;
            hashHi = newHi;
            hashLo = newLo;
            linearized[op] = true;
            if (keyOp.definite()) {
              remainingDefinite--;
            }
            lift(entry, returnEntry[op], next, prev);
            entry = next[HEAD];
            continue;
          }
        }
        entry = next[entry];
        continue;
      } else {
        entry = backtrackTarget(stack);
      }
      if (entry == -1) {
        return Verdict.NOT_LINEARIZABLE;
      }
      // Undo the last linearization and try the entries after it.
      Frame top = stack.pop();
      int op = opOf[top.entry];
      linearized[op] = false;
      if (ops.get(op).definite()) {
        remainingDefinite++;
      }
      unlift(top.entry, returnEntry[op], next, prev);
      state = top.state;
      hashHi = top.hashHi;
      hashLo = top.hashLo;
      entry = next[top.entry];
    }
    return Verdict.LINEARIZABLE;
  }

  /** The entry to resume after, or -1 when there is nothing left to undo. */
  private static int backtrackTarget(Deque<Frame> stack) {
    return stack.isEmpty() ? -1 : stack.peek().entry;
  }

  /** For each operation, the previous interchangeable one in invocation order, or -1. */
  private int[] classPredecessors() {
    int[] pred = new int[ops.size()];
    Arrays.fill(pred, -1);
    Map<String, List<Integer>> byClass = new HashMap<>();
    for (int i = 0; i < ops.size(); i++) {
      String c = ops.get(i).interchangeClass();
      if (c != null) {
        byClass.computeIfAbsent(c, k -> new ArrayList<>()).add(i);
      }
    }
    for (List<Integer> members : byClass.values()) {
      members.sort(Comparator.comparingLong(i -> ops.get(i).invokeNanos()));
      for (int k = 1; k < members.size(); k++) {
        pred[members.get(k)] = members.get(k - 1);
      }
    }
    return pred;
  }

  private static void lift(int call, int ret, int[] next, int[] prev) {
    unlink(call, next, prev);
    if (ret >= 0) {
      unlink(ret, next, prev);
    }
  }

  private static void unlift(int call, int ret, int[] next, int[] prev) {
    if (ret >= 0) {
      relink(ret, next, prev);
    }
    relink(call, next, prev);
  }

  private static void unlink(int e, int[] next, int[] prev) {
    next[prev[e]] = next[e];
    if (next[e] != -1) {
      prev[next[e]] = prev[e];
    }
  }

  private static void relink(int e, int[] next, int[] prev) {
    next[prev[e]] = e;
    if (next[e] != -1) {
      prev[next[e]] = e;
    }
  }

  private record Frame(int entry, String state, long hashHi, long hashLo) {}

  private record CacheKey(long hashHi, long hashLo, String state) {}
}
