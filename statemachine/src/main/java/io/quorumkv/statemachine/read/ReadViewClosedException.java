package io.quorumkv.statemachine.read;

/**
 * A {@link ReadView} was used after it was closed, or after its store was closed or swapped (shutdown, a
 * snapshot install): the query did not run. Retrying on a new view (or another member) is safe.
 */
public final class ReadViewClosedException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public ReadViewClosedException(String message) {
    super(message);
  }
}
