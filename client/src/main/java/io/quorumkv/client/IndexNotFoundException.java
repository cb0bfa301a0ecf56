package io.quorumkv.client;

import io.grpc.Status;

/**
 * The search index named in the request does not exist (gRPC NOT_FOUND with error code INDEX_NOT_FOUND).
 * Not retried: the same request would fail the same way until someone creates the index.
 */
public class IndexNotFoundException extends QuorumKvException {
  private static final long serialVersionUID = 1L;

  public IndexNotFoundException(String message, String member, Throwable cause) {
    super(message, Status.Code.NOT_FOUND, Failure.INDEX_NOT_FOUND, member, cause);
  }
}
