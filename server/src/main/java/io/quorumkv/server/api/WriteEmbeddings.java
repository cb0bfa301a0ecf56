package io.quorumkv.server.api;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.Embedding;
import io.quorumkv.proto.internal.IndexDefinition;
import io.quorumkv.proto.v1.Value;
import io.quorumkv.statemachine.KvStateMachine;
import io.quorumkv.statemachine.search.SemanticTexts;
import io.quorumkv.statemachine.search.embed.BatchingEmbedder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * The leader's half of "embed once": before a put is proposed, embeds the texts of its value that the
 * semantic indexes covering its key index (per the definitions applied so far), so the vectors travel in
 * the command and no member embeds them again. A put that no semantic index covers gets an empty list at
 * once and pays nothing else; so does a put on a member that is not the leader (Raft refuses it anyway,
 * and should it become leader meanwhile, the backfill embeds the key like one written before its index).
 */
final class WriteEmbeddings {

  private final KvStateMachine stateMachine;
  private final BatchingEmbedder embedder;
  private final BooleanSupplier isLeader;

  WriteEmbeddings(KvStateMachine stateMachine, BatchingEmbedder embedder, BooleanSupplier isLeader) {
    this.stateMachine = stateMachine;
    this.embedder = embedder;
    this.isLeader = isLeader;
  }

  /** The embeddings {@code key = value} carries; completed at once (empty) when none is needed. */
  CompletableFuture<List<Embedding>> forPut(ByteString key, Value value) {
    Collection<IndexDefinition> definitions = stateMachine.indexDefinitions().values();
    if (!SemanticTexts.anySemantic(definitions) || !isLeader.getAsBoolean()) {
      return CompletableFuture.completedFuture(List.of());
    }
    return embed(SemanticTexts.toEmbed(definitions, key, value));
  }

  /** Embeds each source's text (source → text) into {@link Embedding}s, in the map's order. */
  CompletableFuture<List<Embedding>> embed(Map<String, String> texts) {
    if (texts.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    List<String> sources = new ArrayList<>(texts.keySet());
    return embedder.embedAll(new ArrayList<>(texts.values())).thenApply(vectors -> {
      List<Embedding> embeddings = new ArrayList<>(vectors.size());
      for (int i = 0; i < vectors.size(); i++) {
        Embedding.Builder embedding = Embedding.newBuilder().setSource(sources.get(i)).setModel(SemanticTexts.MODEL);
        for (float v : vectors.get(i)) {
          embedding.addVector(v);
        }
        embeddings.add(embedding.build());
      }
      return embeddings;
    });
  }
}
