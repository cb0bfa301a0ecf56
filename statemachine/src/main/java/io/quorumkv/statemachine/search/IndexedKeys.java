package io.quorumkv.statemachine.search;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.util.Comparator;
import java.util.PriorityQueue;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.FixedBitSet;

/**
 * The live documents of an index reader in key order, each with the {@link StoredRevision} it was indexed
 * from and its mapping flags: what a build compares with the stored data to reindex only what differs.
 *
 * <p>Each segment's keys are sorted already (the ordinals of its key doc values); the segments are merged
 * by key. A live key has one document in the whole index. Memory: a few bytes per document, read eagerly;
 * the keys themselves are looked up as the cursor moves. The reader must stay open while this is used.
 */
final class IndexedKeys {

  /** One indexed key. */
  record Entry(ByteString key, StoredRevision revision, int flags) {}

  private final PriorityQueue<Segment> segments = new PriorityQueue<>(Comparator.comparing(s -> s.key));

  IndexedKeys(IndexReader reader) throws IOException {
    for (LeafReaderContext leaf : reader.leaves()) {
      Segment segment = new Segment(leaf.reader());
      if (segment.advance()) {
        segments.add(segment);
      }
    }
  }

  /** The smallest key not yet taken, or null if none is left. */
  ByteString peekKey() {
    Segment first = segments.peek();
    return first == null ? null : ByteString.copyFrom(first.key.bytes, first.key.offset, first.key.length);
  }

  /** Takes the smallest key left; {@link #peekKey} must not be null. */
  Entry next() throws IOException {
    Segment first = segments.poll();
    Entry entry = first.entry();
    if (first.advance()) {
      segments.add(first);
    }
    return entry;
  }

  /** One segment's live documents by key ordinal. */
  private static final class Segment {
    private final SortedDocValues keys;
    private final FixedBitSet live;
    private final long[] modIndexes;
    private final long[] embeddingHashes;
    private final byte[] flags;
    private int ord = -1;
    private BytesRef key;

    Segment(LeafReader reader) throws IOException {
      keys = DocValues.getSorted(reader, IndexSchema.KEY);
      int count = keys.getValueCount();
      live = new FixedBitSet(count);
      modIndexes = new long[count];
      embeddingHashes = new long[count];
      flags = new byte[count];
      NumericDocValues mods = DocValues.getNumeric(reader, IndexSchema.MOD_INDEX);
      NumericDocValues hashes = DocValues.getNumeric(reader, IndexSchema.EMBEDDINGS_HASH);
      NumericDocValues flagValues = DocValues.getNumeric(reader, IndexSchema.FLAGS);
      Bits liveDocs = reader.getLiveDocs();
      for (int doc = 0; doc < reader.maxDoc(); doc++) {
        if ((liveDocs != null && !liveDocs.get(doc)) || !keys.advanceExact(doc)) {
          continue;
        }
        int keyOrd = keys.ordValue();
        live.set(keyOrd);
        modIndexes[keyOrd] = mods.advanceExact(doc) ? mods.longValue() : -1;
        embeddingHashes[keyOrd] = hashes.advanceExact(doc) ? hashes.longValue() : 0;
        flags[keyOrd] = (byte) (flagValues.advanceExact(doc) ? flagValues.longValue() : 0);
      }
    }

    boolean advance() throws IOException {
      int count = keys.getValueCount();
      ord = ord + 1 < count ? live.nextSetBit(ord + 1) : DocIdSetIterator.NO_MORE_DOCS;
      if (ord == DocIdSetIterator.NO_MORE_DOCS) {
        return false;
      }
      key = BytesRef.deepCopyOf(keys.lookupOrd(ord));
      return true;
    }

    Entry entry() {
      return new Entry(ByteString.copyFrom(key.bytes, key.offset, key.length),
          new StoredRevision(modIndexes[ord], embeddingHashes[ord]), flags[ord]);
    }
  }
}
