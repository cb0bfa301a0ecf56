package io.quorumkv.tests.perf;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The documents and queries of {@link SearchBench}, all derived from one seed: document {@code i} depends
 * only on (seed, i), so every configuration of a run indexes the same documents, and a query can name
 * terms of a document that exists.
 *
 * <p>A document is {@code {"title", "body", "category", "price", "embedding"}}: a title of 2-4 words, a
 * body of 1-2 sentences built from a fixed English vocabulary (each part of speech drawn with a Zipf-like
 * law, s = 0.9, over a seed-dependent ranking, so some words are common and most are rare), one of 20
 * categories, a price in [1, 1000) with two decimals, and 384 Gaussian floats normalized to unit length
 * (5 decimals) for a user-vector index.
 */
final class SearchCorpus {
  static final int DIMENSION = 384;
  static final List<String> CATEGORIES = List.of(
      "books", "garden", "kitchen", "music", "sports", "travel", "toys", "tools", "health", "office",
      "outdoor", "pets", "games", "fashion", "beauty", "auto", "science", "history", "art", "software");

  private static final String[] NOUNS = words(
      "river mountain garden kitchen engine market library teacher student doctor farmer village city harbor"
      + " forest desert island bridge tower castle window door table chair lamp clock mirror camera guitar"
      + " piano violin drum song story poem letter paper pencil notebook computer keyboard screen network"
      + " server database cluster signal message channel stream ocean lake valley meadow field orchard"
      + " vineyard bakery bread cheese apple orange lemon tomato potato carrot onion pepper coffee tea"
      + " sugar honey salt kettle oven stove blanket pillow carpet painting sculpture museum gallery theater"
      + " stadium player coach referee ticket train station airport pilot captain sailor ship anchor"
      + " compass map journey winter summer autumn spring morning evening night storm thunder rain snow"
      + " wind cloud sunrise sunset planet star comet telescope laboratory scientist experiment formula"
      + " theory engineer circuit battery motor wheel bicycle truck tractor factory warehouse shop"
      + " customer merchant price invoice budget festival parade lantern candle fire stone marble copper"
      + " silver gold diamond crystal feather wolf fox bear eagle owl horse rabbit turtle dolphin whale");
  private static final String[] VERBS = words(
      "builds repairs paints carries finds loses watches follows opens closes writes reads sings plays"
      + " cooks bakes grows plants measures counts sorts cleans washes moves lifts pushes pulls throws"
      + " catches guards visits explores crosses climbs paddles sails flies drives rides chases greets"
      + " studies teaches designs tests launches records collects sells buys trades shares borrows lends"
      + " hides reveals lights warms cools fills empties joins leaves remembers forgets describes explains"
      + " compares protects rescues");
  private static final String[] ADJECTIVES = words(
      "quiet loud bright dark ancient modern small large tiny huge quick slow gentle fierce warm cold"
      + " wet dry golden silver green blue red yellow purple wooden metal glass paper soft hard heavy"
      + " light empty crowded distant nearby hidden famous humble clever curious brave careful sleepy"
      + " hungry happy lonely busy lazy noisy silent fresh stale sweet bitter salty spicy smooth rough"
      + " narrow wide steep flat broken shiny dusty rusty elegant simple complex rare common northern"
      + " southern eastern western coastal rural urban frozen burning misty sunny stormy calm");
  private static final String[] PREPOSITIONS = words("near beside behind under over across through beyond");

  private static final double ZIPF_S = 0.9;

  private final long seed;
  private final String[] nouns;
  private final String[] verbs;
  private final String[] adjectives;
  private final double[] nounCdf;
  private final double[] verbCdf;
  private final double[] adjectiveCdf;

  /** A generated document; {@code contentWords} are the body's nouns, verbs and adjectives, in order. */
  record Doc(String title, String body, String category, double price, float[] embedding,
      List<String> contentWords) {}

  SearchCorpus(long seed) {
    this.seed = seed;
    SplittableRandom ranking = new SplittableRandom(mix(seed, -1));
    this.nouns = shuffled(NOUNS, ranking);
    this.verbs = shuffled(VERBS, ranking);
    this.adjectives = shuffled(ADJECTIVES, ranking);
    this.nounCdf = zipfCdf(nouns.length);
    this.verbCdf = zipfCdf(verbs.length);
    this.adjectiveCdf = zipfCdf(adjectives.length);
  }

  /** Words in the vocabulary (all parts of speech). */
  int vocabularySize() {
    return NOUNS.length + VERBS.length + ADJECTIVES.length + PREPOSITIONS.length;
  }

  /** Document {@code i}; {@code withEmbedding} false skips the 384 floats (for building queries). */
  Doc doc(long i, boolean withEmbedding) {
    SplittableRandom r = new SplittableRandom(mix(seed, i));
    int titleWords = 2 + r.nextInt(3);
    StringBuilder title = new StringBuilder();
    title.append(capitalize(pick(adjectives, adjectiveCdf, r)));
    for (int w = 1; w < titleWords; w++) {
      title.append(' ').append(capitalize(pick(nouns, nounCdf, r)));
    }
    List<String> content = new ArrayList<>();
    int sentences = 1 + r.nextInt(2);
    StringBuilder body = new StringBuilder();
    for (int s = 0; s < sentences; s++) {
      if (s > 0) {
        body.append(' ');
      }
      body.append(sentence(r, content));
    }
    String category = CATEGORIES.get(r.nextInt(CATEGORIES.size()));
    double price = (100 + r.nextInt(99_900)) / 100.0;
    float[] embedding = withEmbedding ? unitVector(r) : null;
    return new Doc(title.toString(), body.toString(), category, price, embedding, content);
  }

  /** A sentence like "The quiet river builds a golden bridge near the harbor." */
  String sentence(SplittableRandom r, List<String> content) {
    StringBuilder s = new StringBuilder(r.nextBoolean() ? "The" : "A");
    if (r.nextInt(3) > 0) {
      s.append(' ').append(add(content, pick(adjectives, adjectiveCdf, r)));
    }
    s.append(' ').append(add(content, pick(nouns, nounCdf, r)));
    s.append(' ').append(add(content, pick(verbs, verbCdf, r)));
    s.append(r.nextBoolean() ? " the" : " a");
    if (r.nextBoolean()) {
      s.append(' ').append(add(content, pick(adjectives, adjectiveCdf, r)));
    }
    s.append(' ').append(add(content, pick(nouns, nounCdf, r)));
    if (r.nextBoolean()) {
      s.append(' ').append(PREPOSITIONS[r.nextInt(PREPOSITIONS.length)]).append(" the ")
          .append(add(content, pick(nouns, nounCdf, r)));
    }
    return s.append('.').toString();
  }

  /** The document as the JSON value the bench writes. */
  static String json(Doc d) {
    StringBuilder j = new StringBuilder(4200);
    j.append("{\"title\":\"").append(d.title()).append("\",\"body\":\"").append(d.body())
        .append("\",\"category\":\"").append(d.category()).append("\",\"price\":")
        .append(String.format(Locale.ROOT, "%.2f", d.price())).append(",\"embedding\":[");
    float[] e = d.embedding();
    for (int k = 0; k < e.length; k++) {
      if (k > 0) {
        j.append(',');
      }
      appendFixed5(j, e[k]);
    }
    return j.append("]}").toString();
  }

  /** {@code v} with 5 decimals, without String.format (38 M floats per 100 k documents). */
  static void appendFixed5(StringBuilder j, float v) {
    long scaled = Math.round(v * 100_000.0);
    if (scaled < 0) {
      j.append('-');
      scaled = -scaled;
    }
    j.append(scaled / 100_000).append('.');
    String frac = Long.toString(scaled % 100_000);
    for (int pad = frac.length(); pad < 5; pad++) {
      j.append('0');
    }
    j.append(frac);
  }

  /** A unit vector of {@link #DIMENSION} Gaussian components, rounded like the stored ones. */
  static float[] unitVector(SplittableRandom r) {
    float[] v = new float[DIMENSION];
    double norm = 0;
    for (int k = 0; k < DIMENSION; k++) {
      double g = r.nextGaussian();
      v[k] = (float) g;
      norm += g * g;
    }
    norm = Math.sqrt(norm);
    for (int k = 0; k < DIMENSION; k++) {
      v[k] = (float) (Math.round(v[k] / norm * 100_000.0) / 100_000.0);
    }
    return v;
  }

  /** {@code count} distinct content words of {@code doc} (fewer if it has fewer), in random order. */
  static List<String> terms(Doc doc, int count, SplittableRandom r) {
    List<String> distinct = new ArrayList<>(new java.util.LinkedHashSet<>(doc.contentWords()));
    List<String> out = new ArrayList<>();
    while (out.size() < count && !distinct.isEmpty()) {
      out.add(distinct.remove(r.nextInt(distinct.size())));
    }
    return out;
  }

  /** A seed-derived random stream for one purpose (e.g. one query kind). */
  SplittableRandom stream(String purpose) {
    return new SplittableRandom(mix(seed, purpose.hashCode() * 0x9E3779B97F4A7C15L + 17));
  }

  private static String add(List<String> content, String word) {
    content.add(word);
    return word;
  }

  private static String pick(String[] words, double[] cdf, SplittableRandom r) {
    double u = r.nextDouble();
    int lo = 0;
    int hi = cdf.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cdf[mid] < u) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return words[lo];
  }

  private static double[] zipfCdf(int n) {
    double[] cdf = new double[n];
    double sum = 0;
    for (int k = 0; k < n; k++) {
      sum += 1 / Math.pow(k + 1, ZIPF_S);
      cdf[k] = sum;
    }
    for (int k = 0; k < n; k++) {
      cdf[k] /= sum;
    }
    cdf[n - 1] = 1.0;
    return cdf;
  }

  private static String[] shuffled(String[] words, SplittableRandom r) {
    String[] out = words.clone();
    for (int k = out.length - 1; k > 0; k--) {
      int j = r.nextInt(k + 1);
      String t = out[k];
      out[k] = out[j];
      out[j] = t;
    }
    return out;
  }

  private static String[] words(String spaceSeparated) {
    return spaceSeparated.trim().split("\\s+");
  }

  private static String capitalize(String w) {
    return Character.toUpperCase(w.charAt(0)) + w.substring(1);
  }

  /** SplitMix64 of (seed, i): independent streams per document. */
  static long mix(long seed, long i) {
    long z = seed + 0x9E3779B97F4A7C15L * (i + 1);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
