package io.quorumkv.statemachine.search;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.util.BytesRef;

/**
 * The keys of search hits, read from the key's doc values: one forward pass per segment over the hits in
 * doc id order, instead of decompressing a block of stored fields per hit.
 */
final class DocKeys {

  private DocKeys() {}

  /** The key of each hit, in the order of {@code hits}. */
  static List<ByteString> of(IndexSearcher searcher, ScoreDoc[] hits) throws IOException {
    Integer[] byDoc = new Integer[hits.length];
    for (int i = 0; i < hits.length; i++) {
      byDoc[i] = i;
    }
    Arrays.sort(byDoc, (a, b) -> Integer.compare(hits[a].doc, hits[b].doc));
    List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
    ByteString[] keys = new ByteString[hits.length];
    LeafReaderContext leaf = null;
    SortedDocValues values = null;
    for (int i : byDoc) {
      int doc = hits[i].doc;
      if (leaf == null || doc >= leaf.docBase + leaf.reader().maxDoc()) {
        leaf = leaves.get(ReaderUtil.subIndex(doc, leaves));
        values = DocValues.getSorted(leaf.reader(), IndexSchema.KEY);
      }
      if (!values.advanceExact(doc - leaf.docBase)) {
        throw new IllegalStateException("document " + doc + " has no key");
      }
      BytesRef key = values.lookupOrd(values.ordValue());
      keys[i] = ByteString.copyFrom(key.bytes, key.offset, key.length);
    }
    return Arrays.asList(keys);
  }
}
