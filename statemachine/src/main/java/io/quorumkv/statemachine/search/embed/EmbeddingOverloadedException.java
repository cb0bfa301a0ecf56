package io.quorumkv.statemachine.search.embed;

/** Too many texts are already waiting to be embedded; nothing of the request was queued. Retryable later. */
public final class EmbeddingOverloadedException extends EmbeddingException {
  public EmbeddingOverloadedException(String message) {
    super(message);
  }
}
