package io.quorumkv.statemachine.core;

import static io.quorumkv.statemachine.TestCommands.batch;
import static io.quorumkv.statemachine.TestCommands.binary;
import static io.quorumkv.statemachine.TestCommands.delete;
import static io.quorumkv.statemachine.TestCommands.deleteMutation;
import static io.quorumkv.statemachine.TestCommands.increment;
import static io.quorumkv.statemachine.TestCommands.json;
import static io.quorumkv.statemachine.TestCommands.key;
import static io.quorumkv.statemachine.TestCommands.put;
import static io.quorumkv.statemachine.TestCommands.putMutation;
import static io.quorumkv.statemachine.TestCommands.text;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.Command;
import io.quorumkv.proto.internal.Mutation;
import io.quorumkv.proto.v1.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A seeded stream of log entries over a small key space, so that commands collide on keys. */
final class RandomCommands {

  /** One log entry as Ratis would hand it to the state machine. */
  record Entry(Command command, long term, long index) {}

  private final Random random;

  RandomCommands(long seed) {
    this.random = new Random(seed);
  }

  /** {@code count} entries with increasing indexes, some skipped as configuration entries would be. */
  List<Entry> entries(int count) {
    List<Entry> entries = new ArrayList<>(count);
    long term = 1;
    long index = 0;
    for (int i = 0; i < count; i++) {
      index += random.nextInt(10) == 0 ? 2 : 1;
      if (random.nextInt(50) == 0) {
        term++;
      }
      entries.add(new Entry(command(), term, index));
    }
    return entries;
  }

  private Command command() {
    return switch (random.nextInt(10)) {
      case 0, 1, 2 -> put(key(keyName()), value());
      case 3 -> delete(keyName());
      case 4, 5, 6 -> increment(keyName(), delta());
      case 7, 8 -> batch(mutations());
      default -> Command.getDefaultInstance();
    };
  }

  private Mutation[] mutations() {
    Mutation[] mutations = new Mutation[1 + random.nextInt(5)];
    for (int i = 0; i < mutations.length; i++) {
      mutations[i] = random.nextBoolean()
          ? putMutation(keyName(), Integer.toString(random.nextInt(100)))
          : deleteMutation(keyName());
    }
    return mutations;
  }

  private String keyName() {
    return "k" + random.nextInt(12);
  }

  private Value value() {
    return switch (random.nextInt(5)) {
      case 0 -> text("v" + random.nextInt(1000));
      case 1 -> binary(ByteString.copyFrom(new byte[] {(byte) random.nextInt(256)}));
      case 2 -> json("{\"n\":" + random.nextInt(10) + "}");
      default -> text(Long.toString(random.nextInt(200) - 100));
    };
  }

  private long delta() {
    return switch (random.nextInt(6)) {
      case 0 -> Long.MAX_VALUE;
      case 1 -> Long.MIN_VALUE;
      default -> random.nextInt(21) - 10;
    };
  }
}
