package io.quorumkv.client;

import java.util.Optional;

/**
 * A search index's definition and its state on the member that answered {@code listIndexes}: every member
 * builds and maintains its own copy, so another member may be further along.
 *
 * @param spec the definition
 * @param state whether the index is searchable on that member
 * @param documents keys in the index as of its last refresh on that member (searches refresh it, and so
 *     does saving the index: 5 s after indexing pauses, at least every 5 minutes)
 * @param segments Lucene segments of the index on that member (every vector, semantic or hybrid search
 *     explores each one's graph)
 * @param merging whether that member is merging the index into one segment (it does when the index is idle)
 * @param buildVisited while building: keys the build has visited so far
 * @param buildIndexed how many of those the build indexed or removed: all for a new index, after a restart
 *     or snapshot install only the keys that changed since the member last saved the index
 * @param skippedVectors keys indexed without a vector because theirs was absent or had another dimension
 * @param pendingEmbeddings keys waiting for their embedding (semantic indexes over keys written before the
 *     index existed)
 * @param failure why the index failed on that member, if it did
 * @param createIndex Raft log index at which the index was created
 * @param member id of the member whose state this is (e.g. "n1")
 * @param appliedIndex applied index of the member's state when it answered
 * @param indexPosition every log entry up to this index is in the member's indexes; {@link #indexLag()}
 */
public record IndexStatus(
    IndexSpec spec,
    State state,
    long documents,
    int segments,
    boolean merging,
    long buildVisited,
    long buildIndexed,
    long skippedVectors,
    long pendingEmbeddings,
    Optional<String> failure,
    long createIndex,
    String member,
    long appliedIndex,
    long indexPosition) {

  /** An index's state on one member. */
  public enum State {
    /** Being built over existing keys; searches fail with UNAVAILABLE / INDEX_UNAVAILABLE (retried). */
    BUILDING,
    /** Searchable. */
    READY,
    /** Indexing failed on this member (see {@link #failure()}); rebuilt at the member's next start. */
    FAILED,
    /** A state this client version does not know (sent by a newer server). */
    UNKNOWN
  }

  /** The index's name. */
  public String name() {
    return spec.name();
  }

  /** Log entries the member has applied but not yet indexed (0 when indexing keeps up). */
  public long indexLag() {
    return Math.max(0, appliedIndex - indexPosition);
  }

  /** True if searches of this index can be served by the member. */
  public boolean isReady() {
    return state == State.READY;
  }

  static IndexStatus of(io.quorumkv.proto.v1.IndexStatus proto, String member, long appliedIndex,
      long indexPosition) {
    State state;
    switch (proto.getState()) {
      case BUILDING:
        state = State.BUILDING;
        break;
      case READY:
        state = State.READY;
        break;
      case FAILED:
        state = State.FAILED;
        break;
      default:
        state = State.UNKNOWN;
    }
    return new IndexStatus(
        IndexSpec.fromProto(proto.getSpec()),
        state,
        proto.getDocuments(),
        proto.getSegments(),
        proto.getMerging(),
        proto.getBuildVisited(),
        proto.getBuildIndexed(),
        proto.getSkippedVectors(),
        proto.getPendingEmbeddings(),
        proto.getFailure().isEmpty() ? Optional.empty() : Optional.of(proto.getFailure()),
        proto.getCreateIndex(),
        member,
        appliedIndex,
        indexPosition);
  }
}
