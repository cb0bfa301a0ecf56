package io.quorumkv.statemachine.core;

import io.quorumkv.proto.internal.AttachEmbeddingsOp;
import io.quorumkv.proto.internal.AttachEmbeddingsResult;
import io.quorumkv.proto.internal.CommandResult;
import io.quorumkv.proto.internal.CreateIndexOp;
import io.quorumkv.proto.internal.CreateIndexResult;
import io.quorumkv.proto.internal.DropIndexOp;
import io.quorumkv.proto.internal.DropIndexResult;
import io.quorumkv.proto.internal.Failure;
import io.quorumkv.proto.internal.IndexDefinition;
import io.quorumkv.proto.internal.KeyEmbeddings;
import java.util.Optional;

/**
 * The search-related commands: index definitions (CREATE_INDEX, DROP_INDEX) and embeddings attached to
 * keys written before a semantic index covered them (ATTACH_EMBEDDINGS). Specs are validated before they
 * are logged; here they are stored as they are.
 */
final class IndexDefinitionHandler {

  private IndexDefinitionHandler() {}

  /** Creates the index, or leaves an equal one alone; a different spec under the name is INDEX_EXISTS. */
  static CommandResult create(CreateIndexOp op, StagedState state) {
    String name = op.getSpec().getName();
    Optional<IndexDefinition> existing = state.definition(name);
    if (existing.isPresent()) {
      if (!existing.get().getSpec().equals(op.getSpec())) {
        return Results.failure(Failure.Code.INDEX_EXISTS, "index " + name + " exists with a different spec");
      }
      return CommandResult.newBuilder().setCreateIndex(CreateIndexResult.newBuilder().setCreated(false)).build();
    }
    state.defineIndex(IndexDefinition.newBuilder().setSpec(op.getSpec()));
    return CommandResult.newBuilder().setCreateIndex(CreateIndexResult.newBuilder().setCreated(true)).build();
  }

  static CommandResult drop(DropIndexOp op, StagedState state) {
    boolean existed = state.definition(op.getName()).isPresent();
    if (existed) {
      state.dropIndex(op.getName());
    }
    return CommandResult.newBuilder().setDropIndex(DropIndexResult.newBuilder().setDropped(existed)).build();
  }

  static CommandResult attach(AttachEmbeddingsOp op, StagedState state) {
    int attached = 0;
    for (KeyEmbeddings key : op.getKeysList()) {
      if (state.attachEmbeddings(key.getKey(), key.getModIndex(), key.getEmbeddingsList())) {
        attached++;
      }
    }
    return CommandResult.newBuilder()
        .setAttachEmbeddings(AttachEmbeddingsResult.newBuilder().setAttached(attached))
        .build();
  }
}
