package io.quorumkv.statemachine.search;

/** The search does not fit the index (unknown field, wrong vector dimension, query that does not parse). */
public final class InvalidSearchException extends RuntimeException {
  public InvalidSearchException(String message) {
    super(message);
  }

  public InvalidSearchException(String message, Throwable cause) {
    super(message, cause);
  }
}
