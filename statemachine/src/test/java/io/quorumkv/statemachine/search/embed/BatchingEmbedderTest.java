package io.quorumkv.statemachine.search.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BatchingEmbedderTest {
  // Only guards against a hang; nothing here depends on how fast anything is.
  private static final long WAIT_SECONDS = 60;

  private static MiniLmEmbedder model;

  @BeforeAll
  static void load() {
    model = new MiniLmEmbedder();
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void concurrentRequestsGetTheVectorsOfDirectCalls() throws Exception {
    Recording recording = new Recording(model);
    List<String> texts = IntStream.range(0, 160).mapToObj(i -> "request " + i + " about topic " + i % 7).toList();
    ExecutorService callers = Executors.newFixedThreadPool(8);
    try (BatchingEmbedder batching = new BatchingEmbedder(recording, 32, 10_000)) {
      List<CompletableFuture<CompletableFuture<float[]>>> submitted = new ArrayList<>();
      for (String text : texts) {
        submitted.add(CompletableFuture.supplyAsync(() -> batching.embed(text), callers));
      }
      CompletableFuture<List<float[]>> all = batching.embedAll(texts.subList(0, 40));

      for (int i = 0; i < texts.size(); i++) {
        float[] vector = submitted.get(i).get(WAIT_SECONDS, TimeUnit.SECONDS).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(vector).isEqualTo(direct(texts.get(i)));
      }
      List<float[]> vectors = all.get(WAIT_SECONDS, TimeUnit.SECONDS);
      assertThat(vectors).hasSize(40);
      for (int i = 0; i < 40; i++) {
        assertThat(vectors.get(i)).isEqualTo(direct(texts.get(i)));
      }
    } finally {
      callers.shutdownNow();
    }
    assertThat(recording.batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(200);
    assertThat(recording.batchSizes).allSatisfy(size -> assertThat(size).isBetween(1, 32));
    System.out.println("BatchingEmbedder: batch sizes with 8 concurrent callers: " + recording.batchSizes);
  }

  @Test
  void requestsQueuedWhileABatchRunsAreEmbeddedTogether() throws Exception {
    Fake fake = new Fake();
    try (BatchingEmbedder batching = new BatchingEmbedder(fake, 32, 10_000)) {
      CompletableFuture<float[]> first = batching.embed("first");
      fake.awaitEntered();
      List<String> texts = IntStream.range(0, 50).mapToObj(i -> "text " + i).toList();
      List<CompletableFuture<float[]>> futures = texts.stream().map(batching::embed).toList();
      fake.release();

      assertThat(get(first)).isEqualTo(Fake.vector("first"));
      for (int i = 0; i < texts.size(); i++) {
        assertThat(get(futures.get(i))).isEqualTo(Fake.vector(texts.get(i)));
      }
      assertThat(fake.batchSizes()).containsExactly(1, 32, 18);
      assertThat(fake.thread.getName()).isEqualTo("embedder");
      assertThat(fake.thread.isDaemon()).isTrue();
    }
  }

  @Test
  void aFullQueueRefusesAtOnce() throws Exception {
    Fake fake = new Fake();
    try (BatchingEmbedder batching = new BatchingEmbedder(fake, 32, 10)) {
      CompletableFuture<float[]> first = batching.embed("first"); // being embedded: not counted as queued
      fake.awaitEntered();
      List<CompletableFuture<float[]>> queued = IntStream.range(0, 9).mapToObj(i -> batching.embed("q" + i)).toList();

      CompletableFuture<List<float[]>> tooMany = batching.embedAll(List.of("x", "y"));
      CompletableFuture<float[]> last = batching.embed("q9");
      CompletableFuture<float[]> refused = batching.embed("one too many");

      assertThat(tooMany).isCompletedExceptionally();
      assertThatThrownBy(tooMany::join).hasCauseInstanceOf(EmbeddingOverloadedException.class);
      assertThat(refused).isCompletedExceptionally();
      assertThatThrownBy(refused::join).hasCauseInstanceOf(EmbeddingOverloadedException.class);
      assertThat(last).isNotDone();
      fake.release();
      get(first);
      for (CompletableFuture<float[]> future : queued) {
        get(future);
      }
      assertThat(get(last)).isEqualTo(Fake.vector("q9"));
      assertThat(get(batching.embed("room again"))).isEqualTo(Fake.vector("room again"));
      assertThat(fake.texts()).doesNotContain("x", "y", "one too many");
    }
  }

  @Test
  void aFailingBatchFailsOnlyItsOwnFutures() throws Exception {
    Fake fake = new Fake();
    try (BatchingEmbedder batching = new BatchingEmbedder(fake, 2, 10_000)) {
      CompletableFuture<float[]> first = batching.embed("first");
      fake.awaitEntered();
      CompletableFuture<float[]> a = batching.embed("a");
      CompletableFuture<float[]> boom = batching.embed(Fake.BOOM);
      CompletableFuture<float[]> b = batching.embed("b");
      CompletableFuture<float[]> c = batching.embed("c");
      fake.release();

      get(first);
      assertThatThrownBy(() -> get(a)).isInstanceOf(ExecutionException.class).hasCause(Fake.FAILURE);
      assertThatThrownBy(() -> get(boom)).isInstanceOf(ExecutionException.class).hasCause(Fake.FAILURE);
      assertThat(get(b)).isEqualTo(Fake.vector("b"));
      assertThat(get(c)).isEqualTo(Fake.vector("c"));
      assertThat(get(batching.embed("d"))).isEqualTo(Fake.vector("d"));
      assertThat(fake.batches).containsExactly(List.of("first"), List.of("a", Fake.BOOM), List.of("b", "c"), List.of("d"));
    }
  }

  @Test
  void cancelledRequestsAreSkipped() throws Exception {
    Fake fake = new Fake();
    try (BatchingEmbedder batching = new BatchingEmbedder(fake, 32, 10_000)) {
      CompletableFuture<float[]> first = batching.embed("first");
      fake.awaitEntered();
      batching.embed("unwanted").cancel(false);
      CompletableFuture<float[]> wanted = batching.embed("wanted");
      fake.release();

      get(first);
      get(wanted);
      assertThat(fake.batches).containsExactly(List.of("first"), List.of("wanted"));
    }
  }

  @Test
  void closeFailsQueuedRequestsLetsTheRunningBatchFinishAndStopsTheThread() throws Exception {
    Fake fake = new Fake();
    BatchingEmbedder batching = new BatchingEmbedder(fake, 32, 10_000);
    CompletableFuture<float[]> running = batching.embed("running");
    fake.awaitEntered();
    List<CompletableFuture<float[]>> queued = IntStream.range(0, 5).mapToObj(i -> batching.embed("q" + i)).toList();
    CompletableFuture<List<float[]>> queuedAll = batching.embedAll(List.of("x", "y"));

    CompletableFuture<Void> closing = CompletableFuture.runAsync(batching::close);
    for (CompletableFuture<float[]> future : queued) {
      assertThatThrownBy(() -> get(future)).hasCauseInstanceOf(EmbeddingException.class);
    }
    assertThatThrownBy(() -> queuedAll.get(WAIT_SECONDS, TimeUnit.SECONDS)).hasCauseInstanceOf(EmbeddingException.class);
    assertThat(running).isNotDone(); // close waits for the batch being embedded, not fails it
    fake.release();
    closing.get(WAIT_SECONDS, TimeUnit.SECONDS);

    assertThat(get(running)).isEqualTo(Fake.vector("running"));
    assertThat(fake.thread.isAlive()).isFalse();
    CompletableFuture<float[]> late = batching.embed("late");
    assertThat(late).isCompletedExceptionally();
    assertThatThrownBy(late::join).hasCauseInstanceOf(EmbeddingException.class);
    assertThat(fake.texts()).containsExactly("running");
    batching.close(); // idempotent
  }

  private static float[] direct(String text) {
    return model.embed(List.of(text)).get(0);
  }

  private static <T> T get(CompletableFuture<T> future) throws Exception {
    return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  /** Records the batch sizes the real model is called with. */
  private static final class Recording implements Embedder {
    final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
    private final Embedder inner;

    Recording(Embedder inner) {
      this.inner = inner;
    }

    @Override
    public String model() {
      return inner.model();
    }

    @Override
    public int dimension() {
      return inner.dimension();
    }

    @Override
    public List<float[]> embed(List<String> texts) {
      batchSizes.add(texts.size());
      return inner.embed(texts);
    }
  }

  /**
   * Deterministic 2-d vectors; its first call blocks until {@link #release()}, so the test knows what is
   * queued meanwhile. Fails any batch containing {@link #BOOM}.
   */
  private static final class Fake implements Embedder {
    static final String BOOM = "boom";
    static final EmbeddingException FAILURE = new EmbeddingException("boom");

    final List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
    volatile Thread thread;
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    static float[] vector(String text) {
      double angle = text.hashCode();
      return new float[] {(float) Math.cos(angle), (float) Math.sin(angle)};
    }

    @Override
    public String model() {
      return "fake";
    }

    @Override
    public int dimension() {
      return 2;
    }

    @Override
    public List<float[]> embed(List<String> texts) {
      thread = Thread.currentThread();
      batches.add(List.copyOf(texts));
      if (entered.getCount() > 0) {
        entered.countDown();
        await(released);
      }
      if (texts.contains(BOOM)) {
        throw FAILURE;
      }
      return texts.stream().map(Fake::vector).toList();
    }

    void awaitEntered() {
      await(entered);
    }

    void release() {
      released.countDown();
    }

    List<Integer> batchSizes() {
      synchronized (batches) {
        return batches.stream().map(List::size).toList();
      }
    }

    List<String> texts() {
      synchronized (batches) {
        return batches.stream().flatMap(List::stream).toList();
      }
    }

    private static void await(CountDownLatch latch) {
      try {
        if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
          throw new IllegalStateException("test did not release the fake embedder");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
