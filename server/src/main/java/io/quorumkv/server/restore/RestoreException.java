package io.quorumkv.server.restore;

/** A restore that cannot go ahead; the message says why and what to do. */
public final class RestoreException extends RuntimeException {
  public RestoreException(String message) {
    super(message);
  }
}
