package io.quorumkv.statemachine.search;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reciprocal rank fusion: a key ranked r (from 1) in a ranking scores 1 / (k + r); scores add up. */
final class RankFusion {

  record Fused(ByteString key, double score) {}

  private RankFusion() {}

  /** The fused ranking of {@code rankings} (each best first), best first, equal scores in key order. */
  static List<Fused> reciprocal(List<List<ByteString>> rankings, int k) {
    Map<ByteString, Double> scores = new HashMap<>();
    for (List<ByteString> ranking : rankings) {
      for (int rank = 1; rank <= ranking.size(); rank++) {
        scores.merge(ranking.get(rank - 1), 1.0 / (k + rank), Double::sum);
      }
    }
    List<Fused> fused = new ArrayList<>(scores.size());
    scores.forEach((key, score) -> fused.add(new Fused(key, score)));
    fused.sort(Comparator.comparingDouble(Fused::score).reversed()
        .thenComparing(Fused::key, ByteString.unsignedLexicographicalComparator()));
    return fused;
  }
}
