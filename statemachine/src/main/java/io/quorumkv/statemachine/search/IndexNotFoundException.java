package io.quorumkv.statemachine.search;

/** The search names an index that does not exist (in the state the search reflects). */
public final class IndexNotFoundException extends RuntimeException {
  public IndexNotFoundException(String message) {
    super(message);
  }
}
