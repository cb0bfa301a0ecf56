package io.quorumkv.chaos.checker;

import io.quorumkv.chaos.history.History;
import io.quorumkv.chaos.history.OpType;
import io.quorumkv.chaos.history.Operation;
import io.quorumkv.chaos.history.Outcome;
import io.quorumkv.chaos.history.Resend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Checks the WriteId contract of common.proto on the increments of counter keys that a resend run sent
 * with its own WriteIds and re-sent (see {@link Resend}), after a resolution phase in which every increment
 * whose outcome was unknown has been re-sent until it was answered:
 * <ol>
 *   <li>every re-send answered OK carries the value and applied index of the increment's first
 *       acknowledgement (a re-send is answered with the first result, never applied again);</li>
 *   <li>every increment's outcome is known (acknowledged, or failed before it could be ordered), and each
 *       counter's final value EQUALS the sum of the deltas of its acknowledged increments: above means an
 *       increment was applied twice or one reported failed was applied, below that one was lost; in log
 *       order (by applied index; within one coalesced entry by value) each acknowledged increment's value is the sum of the deltas up to it;</li>
 *   <li>no send or re-send was refused with {@link #CONTRACT_REFUSALS}: with a client that keeps the
 *       contract they mean the cluster lost a session or a result it had to keep.</li>
 * </ol>
 * Increments of unknown outcome make (2) unverifiable for their key; they are violations themselves.
 */
public final class ExactlyOnceChecker {
  public static final String NAME = "exactly-once";
  /** Error codes no re-send of a client that keeps the WriteId contract may get, within the session expiry. */
  public static final Set<String> CONTRACT_REFUSALS = Set.of("SESSION_EXPIRED", "WRITE_RESULT_DISCARDED",
      "WRITE_ID_REUSED");

  private final Predicate<String> isCounterKey;

  /** @param isCounterKey true for keys that only INCR writes */
  public ExactlyOnceChecker(Predicate<String> isCounterKey) {
    this.isCounterKey = isCounterKey;
  }

  /** What the client was first told about an increment that was applied. */
  private record Ack(String value, long index, String source) {}

  /** An increment with its re-sends and its first acknowledgement, if it has one. */
  private record Increment(Operation op, List<Resend> resends, Optional<Ack> firstAck) {
    static Increment of(Operation op, List<Resend> resends, long originNanos) {
      Optional<Ack> ack = op.outcome() == Outcome.OK ? Optional.of(new Ack(op.result(), op.index(), "its first send"))
          : resends.stream().filter(r -> r.outcome() == Outcome.OK).min(Comparator.comparingLong(Resend::completeNanos))
              .map(r -> new Ack(r.result(), r.index(), r.describe(originNanos)));
      return new Increment(op, resends, ack);
    }

    boolean resolved() {
      return firstAck.isPresent() || op.outcome() == Outcome.FAIL;
    }
  }

  /**
   * @param history the run's history, including the re-sends of the resolution phase
   * @param finalValues the value of each counter key read after the resolution phase; a missing key is absent
   */
  public CheckResult check(History history, Map<String, String> finalValues) {
    Map<Long, List<Resend>> resendsOf = history.resends().stream().collect(Collectors.groupingBy(Resend::operationId));
    Map<String, List<Increment>> byKey = new TreeMap<>();
    for (Operation op : history.operations()) {
      if (op.type() == OpType.INCR && isCounterKey.test(op.key())) {
        byKey.computeIfAbsent(op.key(), k -> new ArrayList<>())
            .add(Increment.of(op, resendsOf.getOrDefault(op.id(), List.of()), history.originNanos()));
      }
    }
    List<Violation> violations = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    long checked = 0;
    for (Map.Entry<String, List<Increment>> e : byKey.entrySet()) {
      List<Increment> increments = e.getValue();
      checked += increments.size();
      for (Increment inc : increments) {
        checkResendAnswers(inc, history.originNanos(), violations);
        checkContract(inc, history.originNanos(), violations);
      }
      notes.add(checkSum(e.getKey(), increments, finalValues, violations));
    }
    return new CheckResult(NAME, checked, violations, notes);
  }

  /** (1) Every OK re-send repeats the first acknowledgement. */
  private static void checkResendAnswers(Increment inc, long originNanos, List<Violation> violations) {
    if (inc.firstAck().isEmpty()) {
      return;
    }
    Ack first = inc.firstAck().get();
    for (Resend r : inc.resends()) {
      if (r.outcome() == Outcome.OK && (!Objects.equals(r.result(), first.value()) || r.index() != first.index())) {
        violations.add(new Violation(NAME, inc.op().key(), r.describe(originNanos) + " was answered " + r.result()
            + " at index " + r.index() + ", but the increment was first acknowledged with " + first.value()
            + " at index " + first.index() + " (" + first.source() + ")", List.of(inc.op())));
      }
    }
  }

  /** (3) No send or re-send was refused by its session. */
  private static void checkContract(Increment inc, long originNanos, List<Violation> violations) {
    contractRefusal(inc.op().error()).ifPresent(code -> violations.add(new Violation(NAME, inc.op().key(),
        "the first send was refused with " + code + ": the client or the cluster broke the WriteId contract",
        List.of(inc.op()))));
    for (Resend r : inc.resends()) {
      if (r.errorCode() != null && CONTRACT_REFUSALS.contains(r.errorCode())) {
        violations.add(new Violation(NAME, inc.op().key(), r.describe(originNanos) + " was refused with "
            + r.errorCode() + ": the client or the cluster broke the WriteId contract", List.of(inc.op())));
      }
    }
  }

  /** (2) Every outcome known; the final value and the values in log order add up. Returns the key's note. */
  private static String checkSum(String key, List<Increment> increments, Map<String, String> finalValues,
      List<Violation> violations) {
    List<Increment> acked = increments.stream().filter(i -> i.firstAck().isPresent()).toList();
    List<Increment> unresolved = increments.stream().filter(i -> !i.resolved()).toList();
    long ackedSum = acked.stream().mapToLong(i -> i.op().delta()).sum();
    long resolvedByResend = acked.stream().filter(i -> i.op().outcome() != Outcome.OK).count();
    String text = finalValues.get(key);
    String note = key + " = " + text + "; acknowledged increments add up to " + ackedSum + " (" + acked.size()
        + " acknowledged, " + resolvedByResend + " of them only by a re-send; " + unresolved.size() + " unresolved)";
    for (Increment inc : unresolved) {
      violations.add(new Violation(NAME, key, "outcome still unknown after the resolution phase ("
          + inc.resends().size() + " re-sends, none answered OK): the final value cannot be checked",
          List.of(inc.op())));
    }
    if (!unresolved.isEmpty()) {
      return note;
    }
    Long value = CountersChecker.counterValue(text);
    if (value == null || value != ackedSum) {
      String why = value == null ? "is not a number" : value > ackedSum
          ? "is " + (value - ackedSum) + " more: an increment was applied twice, or one reported failed was applied"
          : "is " + (ackedSum - value) + " less: an acknowledged increment was lost";
      violations.add(new Violation(NAME, key, "final value " + text + " but its " + acked.size()
          + " acknowledged increments add up to " + ackedSum + ": it " + why, List.of()));
    }
    checkLogOrder(key, acked, violations);
    return note;
  }

  /**
   * In log order, each acknowledged increment must have answered the sum of the deltas up to and including
   * it. Writes coalesced into one entry share its index and apply in an order the client does not see;
   * increments of one index are taken in the order of their values, which is their order in the entry
   * when deltas are positive (as the resend workload's are). Skipped when some increment carries no index.
   * Reports the first break.
   */
  private static void checkLogOrder(String key, List<Increment> acked, List<Violation> violations) {
    if (acked.stream().anyMatch(i -> i.firstAck().get().index() <= 0)) {
      return;
    }
    List<Increment> inLogOrder = acked.stream()
        .sorted(Comparator.comparingLong((Increment i) -> i.firstAck().get().index())
            .thenComparing(i -> i.firstAck().get().value(), ExactlyOnceChecker::compareNumbers)).toList();
    long sum = 0;
    Increment previous = null;
    for (Increment inc : inLogOrder) {
      Ack ack = inc.firstAck().get();
      sum += inc.op().delta();
      List<Operation> evidence = previous == null ? List.of(inc.op()) : List.of(previous.op(), inc.op());
      if (!Long.toString(sum).equals(ack.value())) {
        violations.add(new Violation(NAME, key, "the increment applied at index " + ack.index() + " answered "
            + ack.value() + ", but the acknowledged increments up to it in the log add up to " + sum, evidence));
        return;
      }
      previous = inc;
    }
  }

  /** Numeric order of two increment results; a result that is not a number sorts last. */
  private static int compareNumbers(String a, String b) {
    return Comparator.<Long>nullsLast(Comparator.naturalOrder()).compare(parseOrNull(a), parseOrNull(b));
  }

  private static Long parseOrNull(String s) {
    try {
      return s == null ? null : Long.parseLong(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The contract refusal named in a failure's description ("FAILED_PRECONDITION SESSION_EXPIRED from …"). */
  static Optional<String> contractRefusal(String error) {
    return error == null ? Optional.empty()
        : Arrays.stream(error.split("[^A-Z_]+")).filter(CONTRACT_REFUSALS::contains).findFirst();
  }
}
