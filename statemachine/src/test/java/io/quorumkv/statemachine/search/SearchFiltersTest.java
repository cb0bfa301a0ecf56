package io.quorumkv.statemachine.search;

import static io.quorumkv.statemachine.search.SearchFixture.eq;
import static io.quorumkv.statemachine.search.SearchFixture.keys;
import static io.quorumkv.statemachine.search.SearchFixture.on;
import static io.quorumkv.statemachine.search.SearchFixture.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.v1.Filter;
import io.quorumkv.proto.v1.IndexSpec;
import io.quorumkv.proto.v1.Value;
import io.quorumkv.statemachine.TestSeeds;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyword and numeric filters against a brute-force filter over seeded random JSON documents: the keys a
 * search returns (all pages) must be exactly the keys the documents written say.
 */
class SearchFiltersTest {

  private static final String INDEX = "items";
  private static final int DOCS = 500;
  private static final String[] CATEGORIES = {"books", "games", "music", "tools", "toys"};
  private static final String[] TAGS = {"new", "sale", "gift", "eco", "rare", "local"};
  private static final String[] WORDS = {"red", "green", "blue", "small", "large", "soft", "hard", "fast",
      "slow", "old"};

  /** What the test wrote for one key, as the brute force sees it (null: absent or not indexable). */
  private record Doc(String key, String category, Double price, List<String> tags, Integer rating,
      Boolean inStock, Set<String> words) {}

  @TempDir
  Path dir;

  private SearchFixture fx;
  private Random random;
  private final Map<String, Doc> docs = new TreeMap<>();

  @BeforeEach
  void open() {
    random = new Random(TestSeeds.seed(getClass().getSimpleName()));
    fx = SearchFixture.open(dir);
    // Half the documents exist before the index (the build indexes them), half are written after.
    Map<String, Value> before = new TreeMap<>();
    for (int i = 0; i < DOCS / 2; i++) {
      before.put(generate(i), null);
    }
    before.replaceAll((k, v) -> Value.newBuilder().setJson(json(docs.get(k))).build());
    fx.putAll(before);
    fx.createIndex(IndexSpec.newBuilder().setName(INDEX).setKeyPrefix(ByteString.copyFromUtf8("item/"))
        .addTextFields("title").addKeywordFields("category").addKeywordFields("tags").addKeywordFields("rating")
        .addKeywordFields("inStock").addNumericFields("price").build());
    for (int i = DOCS / 2; i < DOCS; i++) {
      String key = generate(i);
      fx.putJson(key, json(docs.get(key)));
    }
    // Some churn: overwrite and delete a few (the brute force follows).
    for (int i = 0; i < 30; i++) {
      String key = String.format("item/%04d", random.nextInt(DOCS));
      if (random.nextBoolean()) {
        docs.remove(key);
        fx.delete(key);
      } else {
        generate(Integer.parseInt(key.substring(5)));
        fx.putJson(key, json(docs.get(key)));
      }
    }
    // Keys outside the prefix with matching values, and a non-JSON value inside it.
    fx.putJson("other/1", "{\"category\": \"books\", \"price\": 10}");
    fx.putText("item/text", "books 10");
    docs.put("item/text", new Doc("item/text", null, null, List.of(), null, null, Set.of()));
    fx.awaitReady(INDEX);
  }

  @AfterEach
  void close() {
    fx.close();
  }

  /** A random document for item {@code i}, recorded in {@link #docs}; returns its key. */
  private String generate(int i) {
    String key = String.format("item/%04d", i);
    String category = random.nextInt(10) == 0 ? null : CATEGORIES[random.nextInt(CATEGORIES.length)];
    // Prices on a coarse grid so that bounds hit exact values; some absent.
    Double price = random.nextInt(12) == 0 ? null : random.nextInt(200) / 4.0 - 5;
    List<String> tags = new ArrayList<>();
    for (String tag : TAGS) {
      if (random.nextInt(3) == 0) {
        tags.add(tag);
      }
    }
    Integer rating = random.nextInt(8) == 0 ? null : random.nextInt(5) + 1;
    Boolean inStock = random.nextInt(6) == 0 ? null : random.nextBoolean();
    Set<String> words = new HashSet<>();
    int n = 1 + random.nextInt(4);
    for (int w = 0; w < n; w++) {
      words.add(WORDS[random.nextInt(WORDS.length)]);
    }
    docs.put(key, new Doc(key, category, price, tags, rating, inStock, words));
    return key;
  }

  private String json(Doc doc) {
    StringBuilder json = new StringBuilder("{\"title\": \"" + String.join(" ", doc.words()) + "\"");
    if (doc.category() != null) {
      json.append(", \"category\": \"").append(doc.category()).append('"');
    } else if (random.nextBoolean()) {
      json.append(", \"category\": {\"nested\": \"books\"}"); // not a value: no keyword
    }
    if (doc.price() != null) {
      json.append(", \"price\": ").append(doc.price());
    } else if (random.nextBoolean()) {
      json.append(", \"price\": \"12.5\""); // a string: not a number
    }
    json.append(", \"tags\": [");
    for (int t = 0; t < doc.tags().size(); t++) {
      json.append(t == 0 ? "" : ", ").append('"').append(doc.tags().get(t)).append('"');
    }
    json.append(']');
    if (doc.rating() != null) {
      json.append(", \"rating\": ").append(doc.rating());
    }
    if (doc.inStock() != null) {
      json.append(", \"inStock\": ").append(doc.inStock());
    }
    return json.append('}').toString();
  }

  private Predicate<Doc> accepts(Filter filter) {
    return switch (filter.getConditionCase()) {
      case EQUALS -> doc -> switch (filter.getField()) {
        case "category" -> filter.getEquals().equals(doc.category());
        case "tags" -> doc.tags().contains(filter.getEquals());
        case "rating" -> doc.rating() != null && filter.getEquals().equals(doc.rating().toString());
        case "inStock" -> doc.inStock() != null && filter.getEquals().equals(doc.inStock().toString());
        default -> throw new AssertionError(filter.getField());
      };
      case RANGE -> doc -> {
        if (doc.price() == null) {
          return false;
        }
        double p = doc.price();
        var r = filter.getRange();
        boolean aboveMin = !r.hasMin() || (r.getMinExclusive() ? p > r.getMin() : p >= r.getMin());
        boolean belowMax = !r.hasMax() || (r.getMaxExclusive() ? p < r.getMax() : p <= r.getMax());
        return aboveMin && belowMax;
      };
      default -> throw new AssertionError(filter);
    };
  }

  private List<String> bruteForce(List<Filter> filters, Set<String> words) {
    Predicate<Doc> all = doc -> doc.words().containsAll(words);
    for (Filter filter : filters) {
      all = all.and(accepts(filter));
    }
    return docs.values().stream().filter(all).map(Doc::key).sorted().toList();
  }

  private Filter randomFilter() {
    switch (random.nextInt(6)) {
      case 0:
        return eq("category", random.nextInt(8) == 0 ? "nosuch" : CATEGORIES[random.nextInt(CATEGORIES.length)]);
      case 1:
        return eq("tags", TAGS[random.nextInt(TAGS.length)]);
      case 2:
        return eq("rating", Integer.toString(random.nextInt(6)));
      case 3:
        return eq("inStock", Boolean.toString(random.nextBoolean()));
      default:
        Double min = random.nextInt(4) == 0 ? null : randomBound();
        Double max = random.nextInt(4) == 0 ? null : randomBound();
        if (min == null && max == null) {
          min = randomBound();
        }
        if (min != null && max != null && min > max && random.nextInt(4) != 0) {
          Double swap = min;
          min = max;
          max = swap;
        }
        return range("price", min, random.nextBoolean(), max, random.nextBoolean());
    }
  }

  /** A bound that is often exactly a price written (so inclusive and exclusive differ), else between. */
  private double randomBound() {
    double grid = random.nextInt(200) / 4.0 - 5;
    return random.nextInt(3) == 0 ? grid + 0.1 : grid;
  }

  private List<Filter> randomFilters() {
    List<Filter> filters = new ArrayList<>();
    int n = 1 + random.nextInt(3);
    for (int i = 0; i < n; i++) {
      filters.add(randomFilter());
    }
    return filters;
  }

  @Test
  void filtersOnlyReturnExactlyTheAcceptedKeysInKeyOrder() {
    for (int round = 0; round < 120; round++) {
      List<Filter> filters = randomFilters();
      int topK = 1 + random.nextInt(random.nextBoolean() ? 10 : 150);
      List<String> expected = bruteForce(filters, Set.of());
      SearchQuery query = on(INDEX).filters(filters).topK(topK).build();
      List<SearchResult.Hit> hits = fx.searchAll(query);
      assertThat(keys(hits)).as("round %d, filters %s, topK %d", round, filters, topK).isEqualTo(expected);
      assertThat(hits).allSatisfy(hit -> assertThat(hit.score()).isEqualTo(1f));
      assertThat(fx.search(query).totalHits()).as("total of %s", filters).isEqualTo(expected.size());
    }
  }

  @Test
  void rangeBoundsAreInclusiveExclusiveOrOpen() {
    // Deterministic edge checks on top of the random rounds: bounds exactly on written prices.
    double price = docs.values().stream().filter(d -> d.price() != null).findFirst().orElseThrow().price();
    for (boolean minExclusive : new boolean[] {false, true}) {
      for (boolean maxExclusive : new boolean[] {false, true}) {
        List<Filter> filters = List.of(range("price", price, minExclusive, price, maxExclusive));
        List<String> expected = bruteForce(filters, Set.of());
        assertThat(keys(fx.searchAll(on(INDEX).filters(filters).topK(50).build()))).isEqualTo(expected);
        if (minExclusive || maxExclusive) {
          assertThat(expected).isEmpty();
        } else {
          assertThat(expected).isNotEmpty();
        }
      }
    }
    List<Filter> below = List.of(range("price", null, false, price, true));
    List<Filter> atOrAbove = List.of(range("price", price, false, null, false));
    List<String> union = new ArrayList<>(keys(fx.searchAll(on(INDEX).filters(below).topK(1000).build())));
    union.addAll(keys(fx.searchAll(on(INDEX).filters(atOrAbove).topK(1000).build())));
    assertThat(union).doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(bruteForce(List.of(range("price", null, false, null, false)), Set.of()));
    assertThat(union).hasSize((int) docs.values().stream().filter(d -> d.price() != null).count());
  }

  @Test
  void filtersCombineWithFullText() {
    for (int round = 0; round < 80; round++) {
      List<Filter> filters = random.nextInt(5) == 0 ? List.of() : randomFilters();
      Set<String> words = new HashSet<>();
      int n = 1 + random.nextInt(2);
      for (int i = 0; i < n; i++) {
        words.add(WORDS[random.nextInt(WORDS.length)]);
      }
      int topK = 1 + random.nextInt(60);
      List<String> expected = bruteForce(filters, words);
      SearchQuery query = on(INDEX).text(String.join(" ", words)).filters(filters).topK(topK).build();
      List<SearchResult.Hit> hits = fx.searchAll(query);
      assertThat(keys(hits)).as("round %d, words %s, filters %s", round, words, filters)
          .containsExactlyInAnyOrderElementsOf(expected);
      for (int i = 1; i < hits.size(); i++) {
        assertThat(hits.get(i).score()).isLessThanOrEqualTo(hits.get(i - 1).score());
      }
      assertThat(fx.search(query).totalHits()).isEqualTo(expected.size());
    }
  }

  @Test
  void anOversizedKeywordDoesNotFailTheIndex() {
    fx.createIndex(IndexSpec.newBuilder().setName("big").setKeyPrefix(ByteString.copyFromUtf8("big/"))
        .addTextFields("title").addKeywordFields("category").build());
    fx.awaitReady("big");
    fx.putJson("big/1", "{\"title\": \"small one\", \"category\": \"books\"}");
    // Values may be up to 1 MiB; Lucene refuses terms over 32766 bytes.
    String huge = "x".repeat(40_000);
    fx.putJson("big/2", "{\"title\": \"huge one\", \"category\": \"" + huge + "\"}");
    fx.putJson("big/3", "{\"title\": \"later one\", \"category\": \"books\"}");
    assertThat(fx.stats("big").orElseThrow().state()).isEqualTo(IndexStats.State.READY);
    assertThat(keys(fx.search(on("big").text("one").build()))).containsExactlyInAnyOrder("big/1", "big/2", "big/3");
    assertThat(keys(fx.search(on("big").filter(eq("category", "books")).build()))).containsExactly("big/1", "big/3");
    // The other indexes are untouched either way.
    assertThat(fx.stats(INDEX).orElseThrow().state()).isEqualTo(IndexStats.State.READY);
  }

  @Test
  void filtersOnFieldsTheIndexLacksAreInvalid() {
    assertThatThrownBy(() -> fx.search(on(INDEX).filter(eq("price", "10")).build()))
        .isInstanceOf(InvalidSearchException.class);
    assertThatThrownBy(() -> fx.search(on(INDEX).filter(range("category", 1.0, false, 2.0, false)).build()))
        .isInstanceOf(InvalidSearchException.class);
    assertThatThrownBy(() -> fx.search(on(INDEX).filter(eq("title", "red")).build()))
        .isInstanceOf(InvalidSearchException.class);
    assertThatThrownBy(() -> fx.search(on(INDEX).filter(Filter.newBuilder().setField("category").build()).build()))
        .isInstanceOf(InvalidSearchException.class);
  }
}
