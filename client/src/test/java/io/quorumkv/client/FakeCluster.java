package io.quorumkv.client;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Starts fake nodes and builds clients seeded with one seed for a test, and closes them all after it. */
final class FakeCluster implements BeforeEachCallback, AfterEachCallback {
  private final long seed;
  private final List<AutoCloseable> resources = new ArrayList<>();

  FakeCluster(long seed) {
    this.seed = seed;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    System.out.println(context.getRequiredTestClass().getSimpleName() + " seed " + seed);
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    for (AutoCloseable resource : resources) {
      resource.close();
    }
    resources.clear();
  }

  FakeNode node(String id) throws IOException {
    FakeNode node = FakeNode.start(id);
    resources.add(node);
    return node;
  }

  QuorumKvClient client(Duration overallTimeout, String... endpoints) {
    return client(true, overallTimeout, endpoints);
  }

  /** A client that sends every write as a call of its own. */
  QuorumKvClient clientWithoutWritePipeline(String... endpoints) {
    return client(false, Duration.ofSeconds(5), endpoints);
  }

  private QuorumKvClient client(boolean pipelineWrites, Duration overallTimeout, String... endpoints) {
    QuorumKvClient client =
        QuorumKvClient.builder()
            .endpoints(List.of(endpoints))
            .attemptTimeout(Duration.ofMillis(500))
            .overallTimeout(overallTimeout)
            .backoff(Duration.ofMillis(5), Duration.ofMillis(50))
            .random(new Random(seed))
            .pipelineWrites(pipelineWrites)
            .build();
    resources.add(client);
    return client;
  }

  QuorumKvClient client(String... endpoints) {
    return client(Duration.ofSeconds(5), endpoints);
  }
}
