package io.quorumkv.client;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a search index covers and how (see {@code IndexSpec} in search.proto): the keys under a prefix,
 * and which parts of their values are indexed. Field names are JSON paths into object values ({@code
 * "title"}, {@code "author.name"}); arrays of strings or numbers index every element. Immutable; build
 * with {@link #builder(String)}.
 *
 * <pre>{@code
 * IndexSpec books = IndexSpec.builder("books")
 *     .keyPrefix("book/")
 *     .textFields("title", "body")
 *     .analyzer(IndexSpec.Analyzer.ENGLISH)
 *     .keywordFields("genre")
 *     .numericFields("year")
 *     .build();
 * }</pre>
 *
 * <p>The server checks the limits (name 1..64 characters of {@code [a-z0-9_.-]} starting with a letter
 * or digit, at most 16 fields of each kind, vector dimension 1..1024 by default) and fails a violating
 * create with {@link InvalidRequestException}.
 */
public final class IndexSpec {
  /** How full-text fields are analyzed. */
  public enum Analyzer {
    /** Unicode word boundaries, lower case; no stemming, no stop words. The default. */
    STANDARD,
    /** STANDARD plus English stop words and Porter stemming ("running" matches "runs"). */
    ENGLISH
  }

  /** How vectors are compared; every metric's score is higher for closer vectors. */
  public enum VectorMetric {
    /** Cosine similarity; score (1 + cos) / 2. The default. */
    COSINE,
    /** Dot product of vectors the writer normalized to unit length; score (1 + dot) / 2. */
    DOT_PRODUCT,
    /** Euclidean distance; score 1 / (1 + distance^2). */
    L2
  }

  /**
   * A JSON field holding each key's own vector (an array of numbers). A key whose vector is absent or has
   * another dimension is indexed without one.
   *
   * @param field JSON path of the vector
   * @param dimension number of elements, at least 1
   * @param metric how vectors are compared
   */
  public record VectorField(String field, int dimension, VectorMetric metric) {
    public VectorField {
      requireNonEmpty(field, "vector field");
      if (dimension < 1) {
        throw new IllegalArgumentException("vector dimension must be >= 1: " + dimension);
      }
      Objects.requireNonNull(metric, "metric");
    }
  }

  /**
   * Text the server embeds with its sentence-embedding model when a key is written, for {@link
   * SearchQuery.Builder#semanticText(String)} searches.
   *
   * @param field the JSON string field to embed; empty: the text value itself ({@code Value.text})
   */
  public record SemanticField(String field) {
    public SemanticField {
      Objects.requireNonNull(field, "field");
    }

    /** Embed text values ({@link Values#text(String)}) themselves. */
    public static SemanticField textValue() {
      return new SemanticField("");
    }

    /** Embed the JSON string field at {@code field}. */
    public static SemanticField of(String field) {
      return new SemanticField(requireNonEmpty(field, "semantic field"));
    }

    /** True if the text value itself is embedded rather than a JSON field. */
    public boolean embedsTextValue() {
      return field.isEmpty();
    }
  }

  private final String name;
  private final ByteString keyPrefix;
  private final boolean textValues;
  private final List<String> textFields;
  private final Analyzer analyzer;
  private final List<String> keywordFields;
  private final List<String> numericFields;
  private final VectorField vector;
  private final SemanticField semantic;

  private IndexSpec(Builder b) {
    this.name = b.name;
    this.keyPrefix = b.keyPrefix;
    this.textValues = b.textValues;
    this.textFields = List.copyOf(b.textFields);
    this.analyzer = b.analyzer;
    this.keywordFields = List.copyOf(b.keywordFields);
    this.numericFields = List.copyOf(b.numericFields);
    this.vector = b.vector;
    this.semantic = b.semantic;
  }

  /** A builder of an index named {@code name}, covering every key and indexing nothing yet. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  public String name() {
    return name;
  }

  /** The keys the index covers: every key starting with these bytes; empty means every key. */
  public ByteString keyPrefix() {
    return keyPrefix;
  }

  /** True if text values are indexed as full text, in the field named {@code "text"}. */
  public boolean textValues() {
    return textValues;
  }

  /** JSON string fields indexed as full text, each under its own path. */
  public List<String> textFields() {
    return textFields;
  }

  public Analyzer analyzer() {
    return analyzer;
  }

  /** JSON fields indexed as exact keywords, for {@link SearchFilter#equalTo}. */
  public List<String> keywordFields() {
    return keywordFields;
  }

  /** JSON number fields, for {@link SearchFilter#range} and its variants. */
  public List<String> numericFields() {
    return numericFields;
  }

  public Optional<VectorField> vector() {
    return Optional.ofNullable(vector);
  }

  public Optional<SemanticField> semantic() {
    return Optional.ofNullable(semantic);
  }

  /** A builder holding this spec's settings. */
  public Builder toBuilder() {
    Builder b = new Builder(name);
    b.keyPrefix = keyPrefix;
    b.textValues = textValues;
    b.textFields.addAll(textFields);
    b.analyzer = analyzer;
    b.keywordFields.addAll(keywordFields);
    b.numericFields.addAll(numericFields);
    b.vector = vector;
    b.semantic = semantic;
    return b;
  }

  io.quorumkv.proto.v1.IndexSpec toProto() {
    io.quorumkv.proto.v1.IndexSpec.Builder proto =
        io.quorumkv.proto.v1.IndexSpec.newBuilder()
            .setName(name)
            .setKeyPrefix(keyPrefix)
            .setText(textValues)
            .addAllTextFields(textFields)
            .setAnalyzer(
                analyzer == Analyzer.ENGLISH
                    ? io.quorumkv.proto.v1.Analyzer.ENGLISH
                    : io.quorumkv.proto.v1.Analyzer.STANDARD)
            .addAllKeywordFields(keywordFields)
            .addAllNumericFields(numericFields);
    if (vector != null) {
      proto.setVector(
          io.quorumkv.proto.v1.VectorField.newBuilder()
              .setField(vector.field())
              .setDimension(vector.dimension())
              .setMetric(toProto(vector.metric())));
    }
    if (semantic != null) {
      proto.setSemantic(io.quorumkv.proto.v1.SemanticField.newBuilder().setField(semantic.field()));
    }
    return proto.build();
  }

  private static io.quorumkv.proto.v1.VectorMetric toProto(VectorMetric metric) {
    switch (metric) {
      case DOT_PRODUCT:
        return io.quorumkv.proto.v1.VectorMetric.DOT_PRODUCT;
      case L2:
        return io.quorumkv.proto.v1.VectorMetric.L2;
      default:
        return io.quorumkv.proto.v1.VectorMetric.COSINE;
    }
  }

  /**
   * The spec a server reported. Unspecified enums take their documented defaults; values this client
   * does not know (from a newer server) are shown as those defaults too. No validation: the server's
   * word is taken as it is.
   */
  static IndexSpec fromProto(io.quorumkv.proto.v1.IndexSpec proto) {
    Builder b = new Builder(proto.getName(), false);
    b.keyPrefix = proto.getKeyPrefix();
    b.textValues = proto.getText();
    b.textFields.addAll(proto.getTextFieldsList());
    b.analyzer =
        proto.getAnalyzer() == io.quorumkv.proto.v1.Analyzer.ENGLISH ? Analyzer.ENGLISH : Analyzer.STANDARD;
    b.keywordFields.addAll(proto.getKeywordFieldsList());
    b.numericFields.addAll(proto.getNumericFieldsList());
    if (proto.hasVector()) {
      io.quorumkv.proto.v1.VectorField v = proto.getVector();
      VectorMetric metric;
      switch (v.getMetric()) {
        case DOT_PRODUCT:
          metric = VectorMetric.DOT_PRODUCT;
          break;
        case L2:
          metric = VectorMetric.L2;
          break;
        default:
          metric = VectorMetric.COSINE;
      }
      // A spec the server accepted passes the record's checks; a malformed one is listed without its
      // vector rather than failing the whole listing.
      b.vector = v.getField().isEmpty() || v.getDimension() < 1 ? null
          : new VectorField(v.getField(), v.getDimension(), metric);
    }
    if (proto.hasSemantic()) {
      b.semantic = new SemanticField(proto.getSemantic().getField());
    }
    return new IndexSpec(b);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IndexSpec other
        && name.equals(other.name)
        && keyPrefix.equals(other.keyPrefix)
        && textValues == other.textValues
        && textFields.equals(other.textFields)
        && analyzer == other.analyzer
        && keywordFields.equals(other.keywordFields)
        && numericFields.equals(other.numericFields)
        && Objects.equals(vector, other.vector)
        && Objects.equals(semantic, other.semantic);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        name, keyPrefix, textValues, textFields, analyzer, keywordFields, numericFields, vector, semantic);
  }

  @Override
  public String toString() {
    return "IndexSpec{name="
        + name
        + ", keyPrefix="
        + Values.renderBytes(keyPrefix)
        + ", textValues="
        + textValues
        + ", textFields="
        + textFields
        + ", analyzer="
        + analyzer
        + ", keywordFields="
        + keywordFields
        + ", numericFields="
        + numericFields
        + ", vector="
        + vector
        + ", semantic="
        + semantic
        + "}";
  }

  private static String requireNonEmpty(String s, String what) {
    if (Objects.requireNonNull(s, what).isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    return s;
  }

  /** Not thread-safe. Field lists accumulate over calls, in order. */
  public static final class Builder {
    private final String name;
    private ByteString keyPrefix = ByteString.EMPTY;
    private boolean textValues;
    private final List<String> textFields = new ArrayList<>();
    private Analyzer analyzer = Analyzer.STANDARD;
    private final List<String> keywordFields = new ArrayList<>();
    private final List<String> numericFields = new ArrayList<>();
    private VectorField vector;
    private SemanticField semantic;

    private Builder(String name) {
      this(name, true);
    }

    private Builder(String name, boolean check) {
      this.name = check ? requireNonEmpty(name, "index name") : Objects.requireNonNull(name, "name");
    }

    /** Cover the keys starting with the UTF-8 bytes of {@code prefix}; empty (the default): every key. */
    public Builder keyPrefix(String prefix) {
      return keyPrefix(Keys.utf8(prefix));
    }

    public Builder keyPrefix(ByteString prefix) {
      this.keyPrefix = Objects.requireNonNull(prefix, "prefix");
      return this;
    }

    /** Index text values ({@link Values#text(String)}) as full text, in the field named {@code "text"}. */
    public Builder textValues(boolean textValues) {
      this.textValues = textValues;
      return this;
    }

    /** Adds JSON string fields to index as full text. */
    public Builder textFields(String... fields) {
      return textFields(Arrays.asList(fields));
    }

    public Builder textFields(Collection<String> fields) {
      return add(textFields, fields, "text field");
    }

    /** How full-text fields are analyzed (default {@link Analyzer#STANDARD}). */
    public Builder analyzer(Analyzer analyzer) {
      this.analyzer = Objects.requireNonNull(analyzer, "analyzer");
      return this;
    }

    /** Adds JSON fields to index as exact keywords (strings as they are; numbers and booleans as JSON text). */
    public Builder keywordFields(String... fields) {
      return keywordFields(Arrays.asList(fields));
    }

    public Builder keywordFields(Collection<String> fields) {
      return add(keywordFields, fields, "keyword field");
    }

    /** Adds JSON number fields to index for range filters. */
    public Builder numericFields(String... fields) {
      return numericFields(Arrays.asList(fields));
    }

    public Builder numericFields(Collection<String> fields) {
      return add(numericFields, fields, "numeric field");
    }

    /** Index each key's own vector at the JSON path {@code field}, compared by cosine similarity. */
    public Builder vector(String field, int dimension) {
      return vector(field, dimension, VectorMetric.COSINE);
    }

    public Builder vector(String field, int dimension, VectorMetric metric) {
      this.vector = new VectorField(field, dimension, metric);
      return this;
    }

    /** Have the server embed text for semantic search; null removes it. */
    public Builder semantic(SemanticField semantic) {
      this.semantic = semantic;
      return this;
    }

    private Builder add(List<String> to, Collection<String> fields, String what) {
      for (String field : fields) {
        to.add(requireNonEmpty(field, what));
      }
      return this;
    }

    public IndexSpec build() {
      return new IndexSpec(this);
    }
  }
}
