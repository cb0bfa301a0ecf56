package io.quorumkv.statemachine.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.StoredValue;
import io.quorumkv.statemachine.storage.WriteSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KeyVersionsTest {

  private static final ByteString A = ByteString.copyFromUtf8("a");
  private static final ByteString B = ByteString.copyFromUtf8("b");
  private static final ByteString C = ByteString.copyFromUtf8("c");
  private static final long ONE_KEY = KeyVersions.ENTRY_OVERHEAD_BYTES + 1;

  @Test
  void learnsCommittedVersionsAndDeletions() {
    KeyVersions versions = new KeyVersions(1 << 20);
    versions.committed(List.of(put(A, 5, 2), deleted(B)));

    assertThat(versions.get(A)).isEqualTo(new KeyVersion(5, 2));
    assertThat(versions.get(B)).isEqualTo(KeyVersion.ABSENT);
    assertThat(versions.get(B).exists()).isFalse();
    assertThat(versions.get(C)).as("never committed here: unknown, not absent").isNull();

    versions.committed(List.of(put(A, 5, 3)));
    assertThat(versions.get(A)).isEqualTo(new KeyVersion(5, 3));
    assertThat(versions.size()).isEqualTo(2);
  }

  @Test
  void evictsTheLeastRecentlyUsedBeyondTheBudget() {
    KeyVersions versions = new KeyVersions(2 * ONE_KEY);
    versions.committed(List.of(put(A, 1, 1), put(B, 2, 1)));
    versions.get(A);
    versions.committed(List.of(put(C, 3, 1)));

    assertThat(versions.get(B)).as("least recently used").isNull();
    assertThat(versions.get(A)).isEqualTo(new KeyVersion(1, 1));
    assertThat(versions.get(C)).isEqualTo(new KeyVersion(3, 1));
    assertThat(versions.size()).isEqualTo(2);
  }

  @Test
  void aZeroBudgetKnowsNothing() {
    KeyVersions versions = new KeyVersions(0);
    versions.committed(List.of(put(A, 1, 1)));

    assertThat(versions.get(A)).isNull();
    assertThat(versions.size()).isZero();
  }

  private static WriteSet.Write put(ByteString key, long createIndex, long version) {
    return new WriteSet.Write(key, Optional.of(
        StoredValue.newBuilder().setCreateIndex(createIndex).setModIndex(createIndex + version).setVersion(version).build()));
  }

  private static WriteSet.Write deleted(ByteString key) {
    return new WriteSet.Write(key, Optional.empty());
  }
}
