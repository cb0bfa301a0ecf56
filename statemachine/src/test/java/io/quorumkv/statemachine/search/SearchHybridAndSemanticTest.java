package io.quorumkv.statemachine.search;

import static io.quorumkv.statemachine.search.SearchFixture.eq;
import static io.quorumkv.statemachine.search.SearchFixture.keys;
import static io.quorumkv.statemachine.search.SearchFixture.on;
import static io.quorumkv.statemachine.search.SearchFixture.semanticEmbedding;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.CommandResult;
import io.quorumkv.proto.internal.Embedding;
import io.quorumkv.proto.internal.IndexDefinition;
import io.quorumkv.proto.internal.KeyEmbeddings;
import io.quorumkv.proto.v1.IndexSpec;
import io.quorumkv.proto.v1.SemanticField;
import io.quorumkv.proto.v1.Value;
import io.quorumkv.proto.v1.VectorField;
import io.quorumkv.proto.v1.VectorMetric;
import io.quorumkv.statemachine.TestSeeds;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hybrid search (RRF of full text and k-NN) and semantic fields (leader-made embeddings). */
class SearchHybridAndSemanticTest {

  private static final String[] WORDS = {"amber", "basil", "cedar", "delta", "ember", "fjord", "grove", "heron"};
  private static final int HYBRID_DOCS = 80;
  private static final int DIMENSION = 8;
  private static final int SEMANTIC_DIMENSION = 384;

  @TempDir
  Path dir;

  private SearchFixture fx;
  private Random random;

  @BeforeEach
  void open(org.junit.jupiter.api.TestInfo test) {
    random = new Random(TestSeeds.seed(getClass().getSimpleName() + "." + test.getTestMethod().orElseThrow().getName()));
    fx = SearchFixture.open(dir);
  }

  @AfterEach
  void close() {
    fx.close();
  }

  private float[] randomVector(int dimension) {
    float[] v = new float[dimension];
    for (int i = 0; i < dimension; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return v;
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  private static String array(float[] v) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      s.append(i == 0 ? "" : ", ").append(v[i]);
    }
    return s.append(']').toString();
  }

  // ---- hybrid ----

  /** Writes the hybrid corpus; returns each key's vector. */
  private Map<String, float[]> hybridCorpus() {
    fx.createIndex(IndexSpec.newBuilder().setName("hyb").setKeyPrefix(ByteString.copyFromUtf8("h/"))
        .addTextFields("title").addKeywordFields("half")
        .setVector(VectorField.newBuilder().setField("embedding").setDimension(DIMENSION).setMetric(VectorMetric.COSINE))
        .build());
    Map<String, float[]> vectors = new TreeMap<>();
    Map<String, Value> values = new LinkedHashMap<>();
    for (int i = 0; i < HYBRID_DOCS; i++) {
      String key = String.format("h/%03d", i);
      StringBuilder title = new StringBuilder();
      int words = 1 + random.nextInt(4);
      for (int w = 0; w < words; w++) {
        title.append(w == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
      }
      float[] vector = randomVector(DIMENSION);
      vectors.put(key, vector);
      values.put(key, Value.newBuilder().setJson("{\"title\": \"" + title + "\", \"half\": \"" + (i % 2 == 0 ? "even" : "odd")
          + "\", \"embedding\": " + array(vector) + "}").build());
    }
    fx.putAll(values);
    fx.awaitReady("hyb");
    return vectors;
  }

  /** RRF as the contract states it, computed here: 1 / (k + rank) summed; ties in key order. */
  private static List<Map.Entry<String, Double>> fuse(List<List<String>> rankings, int k) {
    Map<String, Double> scores = new HashMap<>();
    for (List<String> ranking : rankings) {
      for (int r = 1; r <= ranking.size(); r++) {
        scores.merge(ranking.get(r - 1), 1.0 / (k + r), Double::sum);
      }
    }
    List<Map.Entry<String, Double>> fused = new ArrayList<>(scores.entrySet());
    fused.sort(Map.Entry.<String, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
    return fused;
  }

  private void assertHybridFollowsRrf(String text, float[] vector, int rrfK, List<io.quorumkv.proto.v1.Filter> filters,
      Map<String, float[]> vectors, int expectedVectorHits) {
    List<String> textRanking = keys(fx.search(on("hyb").text(text).filters(filters).topK(100).build()));
    List<String> vectorRanking = keys(fx.search(on("hyb").vector(vector).filters(filters).topK(100).build()));
    // The vector ranking covers every (filtered) document, in exact cosine order.
    List<String> exactOrder = vectorRanking.stream()
        .sorted(Comparator.comparingDouble((String key) -> cosine(vector, vectors.get(key))).reversed()).toList();
    assertThat(vectorRanking).hasSize(expectedVectorHits).isEqualTo(exactOrder);
    assertThat(textRanking).isNotEmpty().hasSizeLessThan(expectedVectorHits);

    List<Map.Entry<String, Double>> expected = fuse(List.of(textRanking, vectorRanking), rrfK);
    SearchResult hybrid = fx.search(on("hyb").text(text).vector(vector).filters(filters).rrfK(rrfK).topK(100).build());
    assertThat(keys(hybrid)).as("hybrid %s rrf_k %d", text, rrfK)
        .isEqualTo(expected.stream().map(Map.Entry::getKey).toList());
    for (int i = 0; i < expected.size(); i++) {
      assertThat((double) hybrid.hits().get(i).score()).isCloseTo(expected.get(i).getValue(), Offset.offset(1e-6));
      String key = expected.get(i).getKey();
      if (textRanking.contains(key)) {
        assertThat(hybrid.hits().get(i).snippet()).contains("<b>");
      } else {
        assertThat(hybrid.hits().get(i).snippet()).isEmpty();
      }
    }
    assertThat(hybrid.nextCursor()).isEmpty();

    // Paging through the fused ranking gives the same order.
    List<String> paged = keys(fx.searchAll(on("hyb").text(text).vector(vector).filters(filters).rrfK(rrfK).topK(7).build()));
    assertThat(paged).isEqualTo(keys(hybrid));
  }

  @Test
  void hybridFollowsReciprocalRankFusionExactly() {
    Map<String, float[]> vectors = hybridCorpus();
    for (int round = 0; round < 5; round++) {
      String word = WORDS[random.nextInt(WORDS.length)];
      float[] vector = randomVector(DIMENSION);
      assertHybridFollowsRrf(word, vector, 60, List.of(), vectors, HYBRID_DOCS);
      assertHybridFollowsRrf(word + " OR " + WORDS[random.nextInt(WORDS.length)], vector, 1, List.of(), vectors,
          HYBRID_DOCS);
    }
  }

  @Test
  void hybridFiltersBothRankings() {
    Map<String, float[]> vectors = hybridCorpus();
    for (int round = 0; round < 3; round++) {
      String word = WORDS[random.nextInt(WORDS.length)];
      assertHybridFollowsRrf(word, randomVector(DIMENSION), 60, List.of(eq("half", "even")), vectors,
          HYBRID_DOCS / 2);
      assertThat(keys(fx.search(on("hyb").text(word).vector(randomVector(DIMENSION)).filter(eq("half", "even"))
          .topK(100).build()))).allMatch(k -> Integer.parseInt(k.substring(2)) % 2 == 0);
    }
  }

  // ---- semantic ----

  private static IndexSpec semanticSpec() {
    return IndexSpec.newBuilder().setName("sem").setKeyPrefix(ByteString.copyFromUtf8("s/")).setText(true)
        .setSemantic(SemanticField.getDefaultInstance()).build();
  }

  private float[] near(float[] v) {
    float[] near = v.clone();
    for (int i = 0; i < near.length; i++) {
      near[i] += (float) (random.nextGaussian() * 0.05);
    }
    return near;
  }

  private List<String> exactSemantic(Map<String, float[]> embedded, float[] query, int k) {
    return embedded.entrySet().stream()
        .sorted(Comparator.comparingDouble((Map.Entry<String, float[]> e) -> cosine(query, e.getValue())).reversed())
        .limit(k).map(Map.Entry::getKey).toList();
  }

  @Test
  void semanticSearchFindsTheNearestEmbeddings() {
    fx.createIndex(semanticSpec());
    fx.awaitReady("sem");
    Map<String, float[]> embedded = new TreeMap<>();
    for (int i = 0; i < 60; i++) {
      String key = String.format("s/%02d", i);
      float[] vector = randomVector(SEMANTIC_DIMENSION);
      embedded.put(key, vector);
      fx.apply(SearchFixture.put(key, Value.newBuilder().setText("sentence number " + i).build(),
          List.of(semanticEmbedding(vector))));
    }
    // A text value whose embedding is of another model, or of another source: not usable.
    fx.apply(SearchFixture.put("s/othermodel", Value.newBuilder().setText("sentence other").build(),
        List.of(semanticEmbedding(randomVector(SEMANTIC_DIMENSION)).toBuilder().setModel("other-model").build())));
    fx.apply(SearchFixture.put("s/othersource", Value.newBuilder().setText("sentence source").build(),
        List.of(semanticEmbedding(randomVector(SEMANTIC_DIMENSION)).toBuilder().setSource("title").build())));
    for (int q = 0; q < 10; q++) {
      String target = String.format("s/%02d", random.nextInt(60));
      float[] query = near(embedded.get(target));
      SearchResult result = fx.search(on("sem").semantic(query).topK(5).build());
      assertThat(keys(result)).isEqualTo(exactSemantic(embedded, query, 5));
      assertThat(keys(result).get(0)).isEqualTo(target);
      assertThat((double) result.hits().get(0).score())
          .isCloseTo((1 + cosine(query, embedded.get(target))) / 2, Offset.offset(1e-4));
    }
    IndexStats stats = fx.stats("sem").orElseThrow();
    assertThat(stats.state()).isEqualTo(IndexStats.State.READY);
    assertThat(stats.pendingEmbeddings()).isEqualTo(2);
    assertThat(keys(fx.search(on("sem").semantic(randomVector(SEMANTIC_DIMENSION)).topK(100).build())))
        .hasSize(60).doesNotContain("s/othermodel", "s/othersource");
    assertThat(keys(fx.search(on("sem").text("other OR source").build())))
        .containsExactlyInAnyOrder("s/othermodel", "s/othersource");
    assertThatThrownBy(() -> fx.search(on("sem").semantic(randomVector(SEMANTIC_DIMENSION - 1)).build()))
        .isInstanceOf(InvalidSearchException.class);
    assertThatThrownBy(() -> fx.search(on("sem").vector(randomVector(SEMANTIC_DIMENSION)).build()))
        .as("no user vector field").isInstanceOf(InvalidSearchException.class);
  }

  @Test
  void semanticIndexOverUnembeddedKeysWaitsForAttachedEmbeddings() {
    int n = 6;
    Map<String, float[]> embeddings = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      String key = "s/old" + i;
      fx.putText(key, "old sentence " + i);
      embeddings.put(key, randomVector(SEMANTIC_DIMENSION));
    }
    fx.putText("s/doomed", "doomed sentence");
    fx.putJson("s/json", "{\"title\": \"not a text value\"}"); // no semantic source: nothing to wait for
    fx.putText("t/outside", "outside the prefix");
    fx.createIndex(semanticSpec());
    IndexStats building = fx.awaitStats("sem", s -> s.buildVisited() == n + 2 && s.pendingEmbeddings() == n + 1,
        "built with " + (n + 1) + " pending");
    assertThat(building.state()).isEqualTo(IndexStats.State.BUILDING);
    assertThat(building.documents()).isEqualTo(n + 2);
    assertThatThrownBy(() -> fx.search(on("sem").text("sentence").build()))
        .isInstanceOf(IndexUnavailableException.class).hasMessageContaining("waiting for embeddings");

    // A deleted key waits for nothing.
    fx.delete("s/doomed");
    assertThat(fx.stats("sem").orElseThrow().pendingEmbeddings()).isEqualTo(n);
    Map<IndexDefinition, List<ByteString>> pending = fx.indexes().pendingEmbeddings(100);
    assertThat(pending).hasSize(1);
    IndexDefinition definition = pending.keySet().iterator().next();
    assertThat(definition.getSpec()).isEqualTo(semanticSpec());
    assertThat(pending.get(definition).stream().map(ByteString::toStringUtf8).toList())
        .containsExactlyInAnyOrderElementsOf(embeddings.keySet());
    assertThat(fx.indexes().pendingEmbeddings(2).get(definition)).hasSize(2);

    // Stale mod indexes attach nothing.
    List<KeyEmbeddings> stale = embeddings.entrySet().stream().map(e -> keyEmbeddings(e.getKey(),
        fx.stored(e.getKey()).getModIndex() + 1, e.getValue())).toList();
    CommandResult none = fx.attach(stale);
    assertThat(none.getAttachEmbeddings().getAttached()).isZero();
    assertThat(fx.stored("s/old0").getEmbeddingsCount()).isZero();
    IndexStats still = fx.stats("sem").orElseThrow();
    assertThat(still.state()).isEqualTo(IndexStats.State.BUILDING);
    assertThat(still.pendingEmbeddings()).isEqualTo(n);

    // The right mod indexes: all but one, then the last.
    List<KeyEmbeddings> fresh = embeddings.entrySet().stream().map(e -> keyEmbeddings(e.getKey(),
        fx.stored(e.getKey()).getModIndex(), e.getValue())).collect(Collectors.toList());
    assertThat(fx.attach(fresh.subList(0, n - 1)).getAttachEmbeddings().getAttached()).isEqualTo(n - 1);
    assertThat(fx.stats("sem").orElseThrow().pendingEmbeddings()).isEqualTo(1);
    assertThat(fx.stats("sem").orElseThrow().state()).isEqualTo(IndexStats.State.BUILDING);
    assertThat(fx.attach(fresh.subList(n - 1, n)).getAttachEmbeddings().getAttached()).isEqualTo(1);
    IndexStats ready = fx.awaitReady("sem");
    assertThat(ready.pendingEmbeddings()).isZero();
    assertThat(fx.indexes().pendingEmbeddings(100)).isEmpty();

    for (Map.Entry<String, float[]> e : embeddings.entrySet()) {
      assertThat(keys(fx.search(on("sem").semantic(near(e.getValue())).topK(1).build()))).containsExactly(e.getKey());
    }
    assertThat(keys(fx.search(on("sem").semantic(randomVector(SEMANTIC_DIMENSION)).topK(100).build())))
        .containsExactlyInAnyOrderElementsOf(embeddings.keySet());
    assertThat(keys(fx.search(on("sem").text("sentence").topK(100).build())))
        .containsExactlyInAnyOrderElementsOf(embeddings.keySet());

    // A stale attach after they are embedded changes nothing either.
    float[] other = randomVector(SEMANTIC_DIMENSION);
    assertThat(fx.attach(List.of(keyEmbeddings("s/old0", fx.stored("s/old0").getModIndex() - 1, other)))
        .getAttachEmbeddings().getAttached()).isZero();
    assertThat(keys(fx.search(on("sem").semantic(near(embeddings.get("s/old0"))).topK(1).build())))
        .containsExactly("s/old0");
  }

  private static KeyEmbeddings keyEmbeddings(String key, long modIndex, float[] vector) {
    Embedding embedding = semanticEmbedding(vector);
    return KeyEmbeddings.newBuilder().setKey(ByteString.copyFromUtf8(key)).setModIndex(modIndex)
        .addEmbeddings(embedding).build();
  }

  @Test
  void hybridOverTextAndSemantic() {
    fx.createIndex(semanticSpec());
    fx.awaitReady("sem");
    Map<String, float[]> embedded = new TreeMap<>();
    for (int i = 0; i < 40; i++) {
      String key = String.format("s/%02d", i);
      float[] vector = randomVector(SEMANTIC_DIMENSION);
      embedded.put(key, vector);
      fx.apply(SearchFixture.put(key, Value.newBuilder().setText(WORDS[i % WORDS.length] + " " + WORDS[(i * 3) % WORDS.length]).build(),
          List.of(semanticEmbedding(vector))));
    }
    float[] query = randomVector(SEMANTIC_DIMENSION);
    List<String> textRanking = keys(fx.search(on("sem").text("amber").topK(100).build()));
    List<String> semanticRanking = keys(fx.search(on("sem").semantic(query).topK(100).build()));
    assertThat(semanticRanking).isEqualTo(exactSemantic(embedded, query, 100));
    List<String> expected = fuse(List.of(textRanking, semanticRanking), 60).stream().map(Map.Entry::getKey).toList();
    assertThat(keys(fx.search(on("sem").text("amber").semantic(query).topK(100).build()))).isEqualTo(expected);
  }
}
