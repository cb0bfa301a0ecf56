package io.quorumkv.statemachine.search.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against the real model, loaded once for the class. */
class MiniLmEmbedderTest {
  private static MiniLmEmbedder embedder;

  @BeforeAll
  static void load() {
    long start = System.nanoTime();
    embedder = new MiniLmEmbedder();
    System.out.printf("MiniLmEmbedder: model loaded in %d ms%n", (System.nanoTime() - start) / 1_000_000);
  }

  @AfterAll
  static void close() {
    embedder.close();
  }

  @Test
  void describesItsVectors() {
    assertThat(embedder.model()).isEqualTo("all-minilm-l6-v2");
    assertThat(embedder.dimension()).isEqualTo(384);
  }

  @Test
  void everyTextGetsAUnitVectorOfTheDimension() {
    String longText = IntStream.range(0, 3000).mapToObj(i -> "word" + i).collect(Collectors.joining(" "));
    List<String> texts = List.of("hello world", "Grüße aus Köln 🚀", "...", "", "   \t\n", "\u200B", "\u0301", longText);

    List<float[]> vectors = embedder.embed(texts);

    assertThat(vectors).hasSize(texts.size());
    for (float[] vector : vectors) {
      assertThat(vector).hasSize(384);
      assertThat(norm(vector)).isCloseTo(1.0, within(1e-5));
    }
  }

  @Test
  void blankTextsGetTheBlankVectorAndOthersKeepTheirPlace() {
    // "\u200B" (zero-width space) is not blank to Java but has no tokens: the slow path that finds it.
    List<String> texts = List.of("", "a red apple", " \t\n", "\u200B", "\u0000", "a green pear");

    List<float[]> vectors = embedder.embed(texts);

    float[] blank = MiniLmEmbedder.blankVector();
    assertThat(vectors.get(0)).isEqualTo(blank);
    assertThat(vectors.get(2)).isEqualTo(blank);
    assertThat(vectors.get(3)).isEqualTo(blank);
    assertThat(vectors.get(4)).isEqualTo(blank);
    assertThat(vectors.get(1)).isEqualTo(embedOne("a red apple"));
    assertThat(vectors.get(5)).isEqualTo(embedOne("a green pear"));
    assertThat(embedder.embed(List.of())).isEmpty();
  }

  @Test
  void isDeterministicAndBatchesChangeNothing() {
    String text = "Replicated state machines apply the same log in the same order.";
    List<float[]> batch = embedder.embed(List.of("something else first", text, "and after"));

    assertThat(embedOne(text)).isEqualTo(embedOne(text)).isEqualTo(batch.get(1));
  }

  @Test
  void sameVectorsAsLangchainsOwnAllMiniLmModel() {
    // Guards our hand-built session (own thread settings) against drifting from the library's wrapper.
    AllMiniLmL6V2EmbeddingModel reference = new AllMiniLmL6V2EmbeddingModel(Runnable::run);
    for (String text : List.of("The quick brown fox jumps over the lazy dog.", "stock market crash")) {
      float[] expected = reference.embed(text).content().vector();
      assertThat(embedOne(text)).containsExactly(expected, within(1e-5f));
    }
  }

  @Test
  void configuredThreadsGiveTheSameVectorsAndCloseStopsIt() {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      MiniLmEmbedder parallel = new MiniLmEmbedder(pool, 2);
      List<String> texts = List.of("first text", "second text", "third text");
      List<float[]> vectors = parallel.embed(texts);
      for (int i = 0; i < texts.size(); i++) {
        assertThat(vectors.get(i)).containsExactly(embedOne(texts.get(i)), within(1e-5f));
      }

      parallel.close();
      parallel.close();

      assertThatThrownBy(() -> parallel.embed(List.of("too late"))).isInstanceOf(EmbeddingException.class);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void fastAnimalIsMuchCloserToTheFoxThanToCooking() {
    float[] query = embedOne("fast animal");
    double fox = dot(query, embedOne("the quick brown fox"));
    double cooking = dot(query, embedOne("cooking recipes"));
    System.out.printf("'fast animal': fox %.3f, cooking recipes %.3f%n", fox, cooking);

    assertThat(fox - cooking).isGreaterThan(0.2);
  }

  /** Query and document share no content word: only meaning can bring them together. */
  private static final List<List<String>> PARAPHRASES = List.of(
      List.of("fast animal", "The quick brown fox jumps over the lazy dog."),
      List.of("how to repair a flat bicycle tyre", "Patch the punctured inner tube of your bike wheel with a rubber kit."),
      List.of("feeling unwell with a high temperature", "She stayed in bed with a fever and a sore throat."),
      List.of("automobile needs fuel", "The car's gas tank is almost empty."),
      List.of("ocean vacation", "We spent our holiday swimming at the beach and sailing on the sea."),
      List.of("learning to play piano", "Beginners practice scales on the keys every day to improve their musical technique."),
      List.of("stock market crash", "Share prices plunged sharply as investors panicked on Wall Street."),
      List.of("puppy training tips", "Teach your young dog to sit by rewarding it with treats."),
      List.of("global warming", "Rising carbon dioxide emissions are heating the planet and melting polar ice."),
      List.of("baking bread at home", "Knead the dough, let it rise overnight, then put the loaf in a hot oven."),
      List.of("programming bug fix", "The developer corrected the software error that crashed the application."),
      List.of("insomnia", "I lie awake every night and cannot drift off until dawn."),
      List.of("football match result", "The home team won the game two to one after a late goal."),
      List.of("wedding ceremony", "The bride and groom exchanged rings and vows in front of their families."),
      List.of("space exploration", "Astronauts launched aboard a rocket to visit the orbiting station."),
      List.of("job interview advice", "Research the company and prepare answers before meeting the hiring manager."));

  /** Other topics, some close to a query's (bakery, electric cars, orchestra, hospital) to make it harder. */
  private static final List<String> DISTRACTORS = List.of(
      "A collection of cooking recipes for pasta and soups.",
      "The museum displays paintings from the Renaissance period.",
      "Tax returns must be filed before the April deadline.",
      "The river flooded the village after days of heavy rain.",
      "Quantum computers use qubits to perform calculations.",
      "The library extended its opening hours on weekends.",
      "Knitting a wool scarf takes patience and practice.",
      "Volcanoes erupt when magma rises through the earth's crust.",
      "The orchestra performed a symphony by Beethoven.",
      "Gardeners prune roses in early spring.",
      "The train to Paris was delayed by two hours.",
      "Chess players study openings and endgames.",
      "The parliament passed a new law on data privacy.",
      "Coffee beans are roasted to develop their flavor.",
      "The hospital opened a new wing for children.",
      "Mountain climbers reached the summit despite the storm.",
      "The smartphone battery lasts all day on a single charge.",
      "Ancient Egyptians built pyramids as tombs for pharaohs.",
      "The bakery sells croissants and cakes every morning.",
      "Electric vehicles are charged at public stations.");

  private static final Set<String> STOP_WORDS = Set.of(
      "a", "an", "the", "to", "of", "in", "on", "at", "and", "or", "for", "with", "by", "how", "is", "are",
      "your", "their", "it", "its", "she", "we", "our", "every", "before", "after", "then", "that", "as",
      "off", "until", "up", "all", "two", "one");

  @Test
  void paraphrasesRankTheirDocumentInTheTopThree() {
    List<String> corpus = new ArrayList<>();
    PARAPHRASES.forEach(pair -> corpus.add(pair.get(1)));
    corpus.addAll(DISTRACTORS);
    assertThat(corpus).hasSizeGreaterThanOrEqualTo(30).doesNotHaveDuplicates();
    List<float[]> documents = embedder.embed(corpus);

    List<String> misses = new ArrayList<>();
    for (List<String> pair : PARAPHRASES) {
      String query = pair.get(0);
      String expected = pair.get(1);
      assertThat(sharedContentWords(query, expected)).as("'%s' must not share words with its document", query).isEmpty();
      float[] q = embedOne(query);
      List<Integer> ranking = IntStream.range(0, corpus.size()).boxed()
          .sorted(Comparator.comparingDouble((Integer i) -> dot(q, documents.get(i))).reversed())
          .toList();
      int expectedIndex = corpus.indexOf(expected);
      int rank = ranking.indexOf(expectedIndex) + 1;
      int best = ranking.get(0);
      System.out.printf("rank %2d  score %.3f  %-40s -> %s%s%n", rank, dot(q, documents.get(expectedIndex)), query,
          expected, rank == 1 ? "" : String.format(" (first: %.3f %s)", dot(q, documents.get(best)), corpus.get(best)));
      if (rank > 3) {
        misses.add(query + " ranked " + rank);
      }
    }

    assertThat(misses).isEmpty();
  }

  @Test
  void printsTheEmbeddingTime() {
    List<String> sentences = IntStream.range(0, 64)
        .mapToObj(i -> "Sentence number " + i + " says something about replicated key-value stores.")
        .toList();
    embedder.embed(sentences.subList(0, 4)); // warm up
    long start = System.nanoTime();
    sentences.forEach(MiniLmEmbedderTest::embedOne);
    long single = System.nanoTime() - start;
    start = System.nanoTime();
    embedder.embed(sentences);
    long batch = System.nanoTime() - start;
    System.out.printf("MiniLmEmbedder: %.1f ms per sentence one at a time, %.1f ms per sentence in a batch of %d%n",
        single / 1e6 / sentences.size(), batch / 1e6 / sentences.size(), sentences.size());
  }

  private static float[] embedOne(String text) {
    return embedder.embed(List.of(text)).get(0);
  }

  private static double dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += (double) a[i] * b[i];
    }
    return sum;
  }

  private static double norm(float[] vector) {
    return Math.sqrt(dot(vector, vector));
  }

  // Equal words, or one a prefix of the other (fix / fixing), ignoring stop words and single letters.
  private static List<String> sharedContentWords(String query, String document) {
    List<String> documentWords = contentWords(document);
    return contentWords(query).stream()
        .filter(q -> documentWords.stream().anyMatch(d -> q.equals(d) || (Math.min(q.length(), d.length()) >= 4
            && (q.startsWith(d) || d.startsWith(q)))))
        .toList();
  }

  private static List<String> contentWords(String text) {
    return Arrays.stream(text.toLowerCase(Locale.ROOT).split("[^\\p{L}]+"))
        .filter(word -> word.length() > 1 && !STOP_WORDS.contains(word))
        .toList();
  }
}
