package io.quorumkv.statemachine.core;

import io.quorumkv.proto.internal.BatchOp;
import io.quorumkv.proto.internal.BatchResult;
import io.quorumkv.proto.internal.CommandResult;
import io.quorumkv.proto.internal.Failure;
import io.quorumkv.proto.internal.Mutation;

/**
 * BATCH: puts and deletes in order, all or nothing. Each operation sees the earlier ones, so a later
 * operation on a key wins, and a delete counts as removing a key if the key exists at that point of the
 * batch. A mutation of a type this version does not know fails the whole batch with UNKNOWN_COMMAND.
 */
final class BatchHandler {

  private BatchHandler() {}

  static CommandResult apply(BatchOp op, StagedState state) {
    int deletedKeys = 0;
    for (int i = 0; i < op.getMutationsCount(); i++) {
      Mutation mutation = op.getMutations(i);
      switch (mutation.getOpCase()) {
        case PUT -> state.put(mutation.getPut().getKey(), mutation.getPut().getValue(),
            mutation.getPut().getEmbeddingsList());
        case DELETE -> {
          if (state.delete(mutation.getDelete().getKey())) {
            deletedKeys++;
          }
        }
        case OP_NOT_SET -> {
          return Results.failure(Failure.Code.UNKNOWN_COMMAND,
              "batch operation " + i + " has a type not known to this version");
        }
      }
    }
    return CommandResult.newBuilder()
        .setBatch(BatchResult.newBuilder()
            .setAppliedOperations(op.getMutationsCount())
            .setDeletedKeys(deletedKeys))
        .build();
  }
}
