package io.quorumkv.statemachine.search.embed;

/** Texts could not be embedded: the model failed, or the embedder is closed. */
public class EmbeddingException extends RuntimeException {
  public EmbeddingException(String message) {
    super(message);
  }

  public EmbeddingException(String message, Throwable cause) {
    super(message, cause);
  }
}
