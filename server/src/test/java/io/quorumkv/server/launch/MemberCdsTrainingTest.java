package io.quorumkv.server.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The members' archive is recorded from this run; if it stopped halfway, the archive would miss paths. */
class MemberCdsTrainingTest {
  @Test
  void everyMemberCatchesUpIncludingTheRestartedOne(@TempDir Path dir) throws Exception {
    long applied = MemberCdsTraining.train(dir);

    // The first leader's entry is index 0; then 400 puts, an increment, a batch and a delete, one entry each.
    assertThat(applied).isGreaterThanOrEqualTo(403);
  }
}
