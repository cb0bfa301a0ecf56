package io.quorumkv.statemachine.search.embed;

import java.util.List;

/**
 * Turns texts into dense vectors for semantic (nearest-neighbour) search.
 *
 * <p>Contract of every implementation:
 *
 * <ul>
 *   <li>{@link #embed} is synchronous and thread-safe. It costs CPU (milliseconds per short text), so do
 *       not call it on threads that must stay responsive (the Ratis apply thread, gRPC event loops); see
 *       {@link BatchingEmbedder}.
 *   <li>It returns one vector per text, in the order of the texts, each of {@link #dimension()} floats and
 *       of L2 length 1 (within float rounding), so cosine similarity is the dot product.
 *   <li>The same text gives the same vector from the same model; vectors are only comparable with vectors
 *       of the same {@link #model()}.
 *   <li>A blank text (empty, whitespace only, or made only of characters the model's tokenizer drops,
 *       e.g. zero-width ones) gives a valid unit vector too: one fixed vector, the same for every blank
 *       text. It means nothing; callers that can should leave blank texts out rather than rank them.
 *   <li>Long texts are accepted; what happens beyond the model's token window is up to the implementation
 *       (see {@link MiniLmEmbedder}), and the cost grows with the length.
 *   <li>A null list or a null text is a {@link NullPointerException}; an empty list gives an empty list.
 *       Any other failure, including use after the embedder was closed, is an {@link EmbeddingException}.
 * </ul>
 */
public interface Embedder {
  /** Stable name of the model, e.g. {@code all-minilm-l6-v2}. Store it with the vectors: a different name means re-embed. */
  String model();

  /** Length of every vector; constant for the life of the embedder. */
  int dimension();

  /** One unit-length vector per text, in order. See the class comment for the contract. */
  List<float[]> embed(List<String> texts);
}
