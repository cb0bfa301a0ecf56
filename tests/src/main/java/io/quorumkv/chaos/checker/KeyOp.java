package io.quorumkv.chaos.checker;

import io.quorumkv.chaos.history.Operation;

/**
 * An operation's effect on one key, the unit the per-key linearizability search works on. A batch
 * becomes one KeyOp per key it writes, all with the batch's interval.
 *
 * @param source the recorded operation this comes from
 * @param kind what it does to the register
 * @param value for WRITE the value written; for a definite READ the value read (null: absent); for a
 *     definite RMW the new value it returned; null otherwise
 * @param delta for RMW the amount added
 * @param definite true if the operation was acknowledged (must be linearized, between invoke and
 *     complete, with its result); false if its outcome is unknown (may be linearized at any time after
 *     invoke, or never, with any result)
 * @param invokeNanos start of the interval
 * @param completeNanos end of the interval; ignored when not definite
 */
record KeyOp(Operation source, Kind kind, String value, long delta, boolean definite, long invokeNanos,
    long completeNanos) {

  /** Register operations. */
  enum Kind { WRITE, DELETE, READ, RMW }

  /** The same operation with its outcome forgotten: used when cutting a history at a time. */
  KeyOp asUnknown() {
    return new KeyOp(source, kind, kind == Kind.WRITE ? value : null, delta, false, invokeNanos, completeNanos);
  }

  /**
   * Operations of the same kind and argument whose results are unconstrained are interchangeable: an
   * unknown one invoked earlier may take the place of a later one. Null when this one is not
   * interchangeable with any other (definite ones, and writes, whose values are unique).
   */
  String interchangeClass() {
    if (definite) {
      return null;
    }
    return switch (kind) {
      case DELETE -> "delete";
      case RMW -> "rmw" + delta;
      default -> null;
    };
  }
}
