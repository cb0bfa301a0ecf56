package io.quorumkv.statemachine.core;

import io.quorumkv.proto.internal.CommandResult;
import io.quorumkv.proto.internal.Failure;
import io.quorumkv.proto.internal.IncrementOp;
import io.quorumkv.proto.internal.IncrementResult;
import io.quorumkv.proto.internal.StoredValue;
import io.quorumkv.proto.v1.Value;
import java.util.Optional;

/**
 * INCREMENT: adds a delta to the base-10 int64 held as text at a key (absent counts as 0) and stores the
 * sum as text. A value that is not such text, or an int64 overflow, fails with NOT_AN_INTEGER.
 */
final class IncrementHandler {

  private IncrementHandler() {}

  static CommandResult apply(IncrementOp op, StagedState state) {
    Optional<StoredValue> stored = state.get(op.getKey());
    long current;
    if (stored.isEmpty()) {
      current = 0;
    } else {
      Value value = stored.get().getValue();
      if (value.getKindCase() != Value.KindCase.TEXT) {
        return notAnInteger(op, "holds " + kindName(value) + ", not integer text");
      }
      try {
        current = Long.parseLong(value.getText());
      } catch (NumberFormatException e) {
        return notAnInteger(op, "does not hold a base-10 64-bit integer");
      }
    }
    long sum;
    try {
      sum = Math.addExact(current, op.getDelta());
    } catch (ArithmeticException e) {
      return notAnInteger(op, "holds " + current + "; adding " + op.getDelta() + " overflows int64");
    }
    state.put(op.getKey(), Value.newBuilder().setText(Long.toString(sum)).build());
    return CommandResult.newBuilder().setIncrement(IncrementResult.newBuilder().setValue(sum)).build();
  }

  private static CommandResult notAnInteger(IncrementOp op, String reason) {
    return Results.failure(Failure.Code.NOT_AN_INTEGER,
        "cannot increment key " + Results.printableKey(op.getKey()) + ": it " + reason);
  }

  private static String kindName(Value value) {
    return switch (value.getKindCase()) {
      case BYTES -> "bytes";
      case JSON -> "JSON";
      case TEXT -> "text";
      case KIND_NOT_SET -> "no value";
    };
  }
}
