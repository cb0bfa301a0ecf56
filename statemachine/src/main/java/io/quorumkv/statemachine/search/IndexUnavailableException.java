package io.quorumkv.statemachine.search;

/** The index exists but cannot answer on this member now: it is being built, or it failed. Retryable. */
public final class IndexUnavailableException extends RuntimeException {
  public IndexUnavailableException(String message) {
    super(message);
  }
}
