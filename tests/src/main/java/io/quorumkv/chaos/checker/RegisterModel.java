package io.quorumkv.chaos.checker;

/**
 * The sequential specification of one key: absent (null) or holding a text value. Writes and deletes
 * always succeed; a read must return the current value; an RMW (INCR) adds its delta to the current value
 * read as a base-10 integer (absent counts as 0), and, when its result is known, must return the sum.
 */
final class RegisterModel {
  private RegisterModel() {}

  /** True if {@code op} may be applied in state {@code state}, i.e. its recorded result is consistent. */
  static boolean allows(String state, KeyOp op) {
    return switch (op.kind()) {
      case WRITE, DELETE -> true;
      case READ -> !op.definite() || java.util.Objects.equals(state, op.value());
      case RMW -> {
        Long current = asInteger(state);
        // A non-integer value makes INCR fail with NOT_AN_INTEGER and change nothing; such a recorded
        // failure is not in the history, and an acknowledged INCR cannot have seen one.
        yield current != null
            && (!op.definite() || Long.toString(current + op.delta()).equals(op.value()));
      }
    };
  }

  /** The state after {@code op}; call only when {@link #allows} is true. */
  static String apply(String state, KeyOp op) {
    return switch (op.kind()) {
      case WRITE -> op.value();
      case DELETE -> null;
      case READ -> state;
      case RMW -> Long.toString(asInteger(state) + op.delta());
    };
  }

  private static Long asInteger(String state) {
    if (state == null) {
      return 0L;
    }
    try {
      return Long.parseLong(state);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
