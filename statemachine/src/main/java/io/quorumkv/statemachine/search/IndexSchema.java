package io.quorumkv.statemachine.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.Embedding;
import io.quorumkv.proto.internal.StoredValue;
import io.quorumkv.proto.v1.IndexSpec;
import io.quorumkv.proto.v1.Value;
import io.quorumkv.proto.v1.VectorMetric;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.UnicodeUtil;

/**
 * How one index spec maps a key's stored value to a Lucene document, and the field names queries use.
 *
 * <p>Fields: {@value #KEY} (the key; stored, sortable), full-text fields under their own names
 * ({@value #TEXT} for text values, JSON paths for JSON string fields; stored for snippets), keywords under
 * {@code "_kw." + path}, numbers under {@code "_num." + path}, the user vector under {@value #VECTOR}, the
 * semantic embedding under {@value #SEMANTIC}. Every document also records, as doc values, the
 * {@link StoredRevision} it was indexed from ({@value #MOD_INDEX}, {@value #EMBEDDINGS_HASH}) and what its
 * mapping gave ({@value #FLAGS}), so that a restart reindexes only the keys that changed meanwhile.
 */
final class IndexSchema {

  static final String KEY = "_key";
  static final String TEXT = "text";
  static final String VECTOR = "_vector";
  static final String SEMANTIC = "_semantic";
  static final String MOD_INDEX = "_mod";
  static final String EMBEDDINGS_HASH = "_emb";
  static final String FLAGS = "_flags";
  static final int FLAG_SKIPPED_VECTOR = 1;
  static final int FLAG_PENDING_EMBEDDING = 2;
  /** The model whose embeddings semantic fields use; embeddings of another model are ignored. */
  static final String SEMANTIC_MODEL = "all-minilm-l6-v2";
  static final int SEMANTIC_DIMENSION = 384;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What mapping one value gave, besides the document. */
  record Mapped(Document document, boolean skippedVector, boolean pendingEmbedding) {}

  private final IndexSpec spec;
  private final Analyzer analyzer;
  private final List<String> textFields;

  IndexSchema(IndexSpec spec) {
    this.spec = spec;
    this.analyzer = switch (spec.getAnalyzer()) {
      case ENGLISH -> new EnglishAnalyzer();
      default -> new StandardAnalyzer(CharArraySet.EMPTY_SET);
    };
    List<String> fields = new ArrayList<>();
    if (spec.getText()) {
      fields.add(TEXT);
    }
    fields.addAll(spec.getTextFieldsList());
    this.textFields = List.copyOf(fields);
  }

  IndexSpec spec() {
    return spec;
  }

  Analyzer analyzer() {
    return analyzer;
  }

  /** The full-text fields, in spec order. */
  List<String> textFields() {
    return textFields;
  }

  boolean covers(ByteString key) {
    return key.startsWith(spec.getKeyPrefix());
  }

  static Term keyTerm(ByteString key) {
    return new Term(KEY, new BytesRef(key.toByteArray()));
  }

  static String keywordField(String path) {
    return "_kw." + path;
  }

  static String numericField(String path) {
    return "_num." + path;
  }

  /** Whether documents carry a vector (a user vector or a semantic embedding), searched by HNSW. */
  boolean hasVectors() {
    return spec.hasVector() || spec.hasSemantic();
  }

  VectorMetric vectorMetric() {
    return spec.getVector().getMetric();
  }

  /**
   * How Lucene compares vectors of {@code metric}. Cosine is the dot product of the vectors scaled to unit
   * length ({@link #comparable}): the same ranking and scores ((1 + cos) / 2) for a third of the
   * arithmetic per comparison, which is most of a k-NN search's time.
   */
  static VectorSimilarityFunction similarity(VectorMetric metric) {
    return metric == VectorMetric.L2 ? VectorSimilarityFunction.EUCLIDEAN : VectorSimilarityFunction.DOT_PRODUCT;
  }

  /**
   * The vector as the index stores and compares it under {@code metric}: scaled to unit length for
   * cosine, else as is. Empty if Lucene cannot use it: a non-finite component, or all zeros for cosine.
   */
  static Optional<float[]> comparable(float[] vector, VectorMetric metric) {
    double norm = 0;
    for (float v : vector) {
      if (!Float.isFinite(v)) {
        return Optional.empty();
      }
      norm += (double) v * v;
    }
    if (metric != VectorMetric.COSINE) {
      return Optional.of(vector);
    }
    if (norm == 0 || !Double.isFinite(norm)) {
      return Optional.empty();
    }
    float[] unit = new float[vector.length];
    double scale = 1 / Math.sqrt(norm);
    for (int i = 0; i < vector.length; i++) {
      unit[i] = (float) (vector[i] * scale);
    }
    return Optional.of(unit);
  }

  /** The document for {@code key = stored}; a key always gets one (with whatever fields its value has). */
  Mapped map(ByteString key, StoredValue stored) {
    Document doc = new Document();
    BytesRef keyBytes = new BytesRef(key.toByteArray());
    doc.add(new StringField(KEY, keyBytes, Field.Store.YES));
    doc.add(new SortedDocValuesField(KEY, keyBytes));
    Value value = stored.getValue();
    if (spec.getText() && value.hasText()) {
      doc.add(new TextField(TEXT, value.getText(), Field.Store.YES));
    }
    JsonNode json = value.hasJson() ? parse(value.getJson()) : null;
    if (json != null) {
      addJsonFields(doc, json);
    }
    boolean skippedVector = spec.hasVector() && !addUserVector(doc, json);
    boolean pending = spec.hasSemantic() && !addSemantic(doc, stored, json);
    StoredRevision revision = StoredRevision.of(stored);
    doc.add(new NumericDocValuesField(MOD_INDEX, revision.modIndex()));
    doc.add(new NumericDocValuesField(EMBEDDINGS_HASH, revision.embeddingsHash()));
    doc.add(new NumericDocValuesField(FLAGS,
        (skippedVector ? FLAG_SKIPPED_VECTOR : 0) | (pending ? FLAG_PENDING_EMBEDDING : 0)));
    return new Mapped(doc, skippedVector, pending);
  }

  /**
   * The text a semantic index embeds for {@code value}: the text value, or the JSON string field; empty
   * if the value has none.
   */
  static Optional<String> semanticSource(IndexSpec spec, Value value) {
    String field = spec.getSemantic().getField();
    if (field.isEmpty()) {
      return value.hasText() ? Optional.of(value.getText()) : Optional.empty();
    }
    if (!value.hasJson()) {
      return Optional.empty();
    }
    JsonNode json = parse(value.getJson());
    JsonNode node = json == null ? null : JsonPaths.nodeAt(json, field);
    return node != null && node.isTextual() ? Optional.of(node.asText()) : Optional.empty();
  }

  private void addJsonFields(Document doc, JsonNode json) {
    for (String path : spec.getTextFieldsList()) {
      for (JsonNode node : JsonPaths.valuesAt(json, path)) {
        if (node.isTextual()) {
          doc.add(new TextField(path, node.asText(), Field.Store.YES));
        }
      }
    }
    for (String path : spec.getKeywordFieldsList()) {
      for (JsonNode node : JsonPaths.valuesAt(json, path)) {
        String keyword = node.isValueNode() ? (node.isTextual() ? node.asText() : node.toString()) : null;
        // Lucene refuses a whole document with a term over MAX_TERM_LENGTH bytes (which would fail the
        // index): such a value leaves the field empty, like a value of another type.
        if (keyword != null
            && UnicodeUtil.calcUTF16toUTF8Length(keyword, 0, keyword.length()) <= IndexWriter.MAX_TERM_LENGTH) {
          doc.add(new StringField(keywordField(path), keyword, Field.Store.NO));
        }
      }
    }
    for (String path : spec.getNumericFieldsList()) {
      for (JsonNode node : JsonPaths.valuesAt(json, path)) {
        if (node.isNumber()) {
          doc.add(new DoublePoint(numericField(path), node.asDouble()));
        }
      }
    }
  }

  /** Adds the value's own vector; false if it has none of the index's dimension. */
  private boolean addUserVector(Document doc, JsonNode json) {
    JsonNode node = json == null ? null : JsonPaths.nodeAt(json, spec.getVector().getField());
    int dimension = spec.getVector().getDimension();
    if (node == null || !node.isArray() || node.size() != dimension) {
      return false;
    }
    float[] vector = new float[dimension];
    for (int i = 0; i < dimension; i++) {
      if (!node.get(i).isNumber()) {
        return false;
      }
      vector[i] = (float) node.get(i).asDouble();
    }
    Optional<float[]> comparable = comparable(vector, vectorMetric());
    comparable.ifPresent(v -> doc.add(new KnnFloatVectorField(VECTOR, v, similarity(vectorMetric()))));
    return comparable.isPresent();
  }

  /**
   * Adds the leader's embedding of the semantic source; false if the value has source text but no
   * embedding of it yet (pending: the leader attaches one).
   */
  private boolean addSemantic(Document doc, StoredValue stored, JsonNode json) {
    boolean hasSource = semanticSourcePresent(stored.getValue(), json);
    if (!hasSource) {
      return true;
    }
    String source = spec.getSemantic().getField();
    for (Embedding embedding : stored.getEmbeddingsList()) {
      if (embedding.getSource().equals(source) && embedding.getModel().equals(SEMANTIC_MODEL)
          && embedding.getVectorCount() == SEMANTIC_DIMENSION) {
        float[] vector = new float[SEMANTIC_DIMENSION];
        for (int i = 0; i < vector.length; i++) {
          vector[i] = embedding.getVector(i);
        }
        comparable(vector, VectorMetric.COSINE).ifPresent(
            v -> doc.add(new KnnFloatVectorField(SEMANTIC, v, similarity(VectorMetric.COSINE))));
        return true;
      }
    }
    return false;
  }

  private boolean semanticSourcePresent(Value value, JsonNode json) {
    String field = spec.getSemantic().getField();
    if (field.isEmpty()) {
      return value.hasText();
    }
    JsonNode node = json == null ? null : JsonPaths.nodeAt(json, field);
    return node != null && node.isTextual();
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      return null;
    }
  }
}
