package io.quorumkv.statemachine.search;

import io.quorumkv.proto.internal.Embedding;
import io.quorumkv.proto.internal.StoredValue;

/**
 * Which stored record of a key a document was indexed from: its mod index (every put or delete changes
 * it) and a hash of its embeddings (attached embeddings change the record but not its mod index). A
 * document whose revision equals the stored record's needs no reindexing.
 */
record StoredRevision(long modIndex, long embeddingsHash) {

  static StoredRevision of(StoredValue stored) {
    long hash = 1;
    for (Embedding embedding : stored.getEmbeddingsList()) {
      hash = 31 * hash + embedding.getSource().hashCode();
      hash = 31 * hash + embedding.getModel().hashCode();
      for (int i = 0; i < embedding.getVectorCount(); i++) {
        hash = 31 * hash + Float.floatToIntBits(embedding.getVector(i));
      }
    }
    return new StoredRevision(stored.getModIndex(), hash);
  }
}
