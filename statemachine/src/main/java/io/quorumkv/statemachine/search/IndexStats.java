package io.quorumkv.statemachine.search;

import io.quorumkv.proto.internal.IndexDefinition;

/**
 * One index's state on this member, as ListIndexes shows it.
 *
 * @param documents keys indexed
 * @param segments Lucene segments (each k-NN search explores every one's graph)
 * @param merging whether the index is being merged into one segment while idle
 * @param buildVisited keys the build has visited so far (BUILDING)
 * @param buildIndexed keys the build has indexed or removed so far: all of them for a new index; after a
 *     restart or install, only those that changed since the index files were last committed
 * @param skippedVectors keys indexed without their (absent or misshapen) user vector
 * @param pendingEmbeddings keys whose semantic text has no embedding yet
 * @param failure why the index failed; empty unless FAILED
 */
public record IndexStats(IndexDefinition definition, State state, long documents, int segments, boolean merging,
    long buildVisited,
    long buildIndexed, long skippedVectors, long pendingEmbeddings, String failure) {

  public enum State { BUILDING, READY, FAILED }
}
