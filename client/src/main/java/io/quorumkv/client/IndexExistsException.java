package io.quorumkv.client;

import io.grpc.Status;

/**
 * An index of that name exists with a different spec (gRPC ALREADY_EXISTS with error code INDEX_EXISTS).
 * Nothing changed. (Creating an index whose spec equals the existing one is not an error: it completes
 * with {@link CreateIndexResult#created()} false.) Drop the index first to redefine it.
 */
public class IndexExistsException extends QuorumKvException {
  private static final long serialVersionUID = 1L;

  public IndexExistsException(String message, String member, Throwable cause) {
    super(message, Status.Code.ALREADY_EXISTS, Failure.INDEX_EXISTS, member, cause);
  }
}
