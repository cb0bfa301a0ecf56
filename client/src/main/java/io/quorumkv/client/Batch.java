package io.quorumkv.client;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.v1.BatchDelete;
import io.quorumkv.proto.v1.BatchOperation;
import io.quorumkv.proto.v1.BatchPut;
import io.quorumkv.proto.v1.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Puts and deletes applied all-or-nothing, in order, as one log entry; a later operation on the same key
 * wins. Immutable; build with {@link #builder()}. The server accepts 1..1000 operations and 4 MiB of keys
 * and values by default.
 */
public final class Batch {
  private final List<BatchOperation> operations;

  private Batch(List<BatchOperation> operations) {
    this.operations = List.copyOf(operations);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Number of operations. */
  public int size() {
    return operations.size();
  }

  List<BatchOperation> operations() {
    return operations;
  }

  /** Collects operations in order. Not thread-safe. */
  public static final class Builder {
    private final List<BatchOperation> operations = new ArrayList<>();

    private Builder() {}

    public Builder put(String key, Value value) {
      return put(Keys.utf8(key), value);
    }

    public Builder put(ByteString key, Value value) {
      BatchPut put =
          BatchPut.newBuilder()
              .setKey(Keys.bytes(key))
              .setValue(Objects.requireNonNull(value, "value"))
              .build();
      operations.add(BatchOperation.newBuilder().setPut(put).build());
      return this;
    }

    public Builder delete(String key) {
      return delete(Keys.utf8(key));
    }

    public Builder delete(ByteString key) {
      BatchDelete delete = BatchDelete.newBuilder().setKey(Keys.bytes(key)).build();
      operations.add(BatchOperation.newBuilder().setDelete(delete).build());
      return this;
    }

    public Batch build() {
      return new Batch(operations);
    }
  }
}
