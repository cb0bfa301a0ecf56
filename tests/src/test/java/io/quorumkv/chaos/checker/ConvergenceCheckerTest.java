package io.quorumkv.chaos.checker;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.quorumkv.client.Entry;
import io.quorumkv.client.Values;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConvergenceCheckerTest {
  private static Entry entry(String key, String value, long modIndex) {
    return new Entry(ByteString.copyFromUtf8(key), Values.text(value), 1, modIndex, 1, 99);
  }

  private static ReplicaDigest digest(Entry... entries) {
    return ReplicaDigest.of(List.of(entries).iterator());
  }

  @Test
  void acceptsEqualReplicas() {
    Map<String, Optional<ReplicaDigest>> d = new LinkedHashMap<>();
    d.put("n1", Optional.of(digest(entry("a", "1", 5), entry("b", "2", 6))));
    d.put("n2", Optional.of(digest(entry("a", "1", 5), entry("b", "2", 6))));
    assertThat(ConvergenceChecker.check(d).passed()).isTrue();
  }

  @Test
  void rejectsAReplicaWithAnotherValueOrIndexOrAMissingKeyOrNoAnswer() {
    ReplicaDigest good = digest(entry("a", "1", 5), entry("b", "2", 6));
    for (ReplicaDigest bad : List.of(digest(entry("a", "1", 5), entry("b", "3", 6)),
        digest(entry("a", "1", 5), entry("b", "2", 7)), digest(entry("a", "1", 5)),
        digest(entry("a", "12", 5)))) {
      Map<String, Optional<ReplicaDigest>> d = new LinkedHashMap<>();
      d.put("n1", Optional.of(good));
      d.put("n2", Optional.of(bad));
      assertThat(ConvergenceChecker.check(d).passed()).as(bad.toString()).isFalse();
    }
    Map<String, Optional<ReplicaDigest>> d = new LinkedHashMap<>();
    d.put("n1", Optional.of(good));
    d.put("n2", Optional.empty());
    assertThat(ConvergenceChecker.check(d).passed()).isFalse();
  }
}
