package io.quorumkv.statemachine;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.BatchOp;
import io.quorumkv.proto.internal.Command;
import io.quorumkv.proto.internal.DeleteOp;
import io.quorumkv.proto.internal.IncrementOp;
import io.quorumkv.proto.internal.Mutation;
import io.quorumkv.proto.internal.PutOp;
import io.quorumkv.proto.v1.KeyValue;
import io.quorumkv.proto.v1.Value;
import io.quorumkv.proto.v1.WriteId;
import io.quorumkv.statemachine.read.KeyRange;
import io.quorumkv.statemachine.read.ReadView;
import io.quorumkv.statemachine.storage.KvStore;
import java.util.List;

/** Builders for commands and values used across the tests. */
public final class TestCommands {

  private TestCommands() {}

  public static ByteString key(String key) {
    return ByteString.copyFromUtf8(key);
  }

  public static ByteString bytes(int... unsignedBytes) {
    byte[] b = new byte[unsignedBytes.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) unsignedBytes[i];
    }
    return ByteString.copyFrom(b);
  }

  public static Value text(String text) {
    return Value.newBuilder().setText(text).build();
  }

  public static Value json(String json) {
    return Value.newBuilder().setJson(json).build();
  }

  public static Value binary(ByteString bytes) {
    return Value.newBuilder().setBytes(bytes).build();
  }

  /** {@code command} as write {@code sequence} of client {@code clientId}, the only one in flight. */
  public static Command asWrite(Command command, ByteString clientId, long sequence) {
    return command.toBuilder().setWriteId(WriteId.newBuilder().setClientId(clientId).setSequence(sequence)
        .setNewSession(sequence == 1)).build();
  }

  public static Command put(ByteString key, Value value) {
    return Command.newBuilder().setPut(PutOp.newBuilder().setKey(key).setValue(value)).build();
  }

  public static Command put(String key, String text) {
    return put(key(key), text(text));
  }

  public static Command delete(ByteString key) {
    return Command.newBuilder().setDelete(DeleteOp.newBuilder().setKey(key)).build();
  }

  public static Command delete(String key) {
    return delete(key(key));
  }

  public static Command increment(ByteString key, long delta) {
    return Command.newBuilder().setIncrement(IncrementOp.newBuilder().setKey(key).setDelta(delta)).build();
  }

  public static Command increment(String key, long delta) {
    return increment(key(key), delta);
  }

  public static Mutation putMutation(String key, String text) {
    return Mutation.newBuilder().setPut(PutOp.newBuilder().setKey(key(key)).setValue(text(text))).build();
  }

  public static Mutation deleteMutation(String key) {
    return Mutation.newBuilder().setDelete(DeleteOp.newBuilder().setKey(key(key))).build();
  }

  public static Command batch(Mutation... mutations) {
    return Command.newBuilder().setBatch(BatchOp.newBuilder().addAllMutations(List.of(mutations))).build();
  }

  /** Every key with its value and bookkeeping, in key order. */
  public static List<KeyValue> dump(KvStore store) {
    try (ReadView view = store.openView()) {
      return view.scan(KeyRange.ALL, Integer.MAX_VALUE, Long.MAX_VALUE, false).entries();
    }
  }
}
