package io.quorumkv.statemachine.search.embed;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Asynchronous front of an {@link Embedder}: requests from any thread are queued and embedded together,
 * up to {@code maxBatch} texts per {@link Embedder#embed} call, by one daemon thread named
 * {@code embedder}. One thread keeps embedding to one core whatever the number of callers, and callers
 * (apply thread, gRPC handlers) never run the model themselves.
 *
 * <p>Futures complete on that thread, so whatever a caller chains on them without an executor runs there
 * and delays every other request: chain with the {@code ...Async} methods, or keep it short.
 *
 * <p>At most {@code maxQueued} texts wait (not counting the batch being embedded); a request that does not
 * fit fails at once with {@link EmbeddingOverloadedException}. If the embedder fails, only the futures of
 * that batch fail, with its exception. A future cancelled before its batch starts is skipped.
 *
 * <p>The delegate is not owned: close this first, then the delegate.
 */
public final class BatchingEmbedder implements AutoCloseable {
  public static final int DEFAULT_MAX_BATCH = 32;
  public static final int DEFAULT_MAX_QUEUED = 10_000;

  private record Pending(String text, CompletableFuture<float[]> future) {}

  private final Embedder delegate;
  private final int maxBatch;
  private final int maxQueued;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>(); // guarded by this
  private boolean closed; // guarded by this
  private final Thread worker;

  /** Batches of up to {@value #DEFAULT_MAX_BATCH}, at most {@value #DEFAULT_MAX_QUEUED} texts waiting. */
  public BatchingEmbedder(Embedder delegate) {
    this(delegate, DEFAULT_MAX_BATCH, DEFAULT_MAX_QUEUED);
  }

  public BatchingEmbedder(Embedder delegate, int maxBatch, int maxQueued) {
    if (maxBatch < 1 || maxQueued < 1) {
      throw new IllegalArgumentException("maxBatch and maxQueued must be positive: " + maxBatch + ", " + maxQueued);
    }
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.maxBatch = maxBatch;
    this.maxQueued = maxQueued;
    this.worker = new Thread(this::run, "embedder");
    worker.setDaemon(true);
    worker.start();
  }

  /**
   * The unit vector of {@code text}, as {@link Embedder#embed} gives it. Fails with
   * {@link EmbeddingOverloadedException} at once if the queue is full, with {@link EmbeddingException} if
   * this is closed before the text is embedded, or with the delegate's exception.
   */
  public CompletableFuture<float[]> embed(String text) {
    Objects.requireNonNull(text, "text");
    Pending pending = new Pending(text, new CompletableFuture<>());
    EmbeddingException rejected = enqueue(List.of(pending));
    return rejected == null ? pending.future() : CompletableFuture.failedFuture(rejected);
  }

  /**
   * The vectors of {@code texts}, in order, failing as {@link #embed} does if any text fails (then possibly
   * wrapped in a {@link java.util.concurrent.CompletionException}). All or nothing is queued: more texts
   * than {@code maxQueued} always fail with {@link EmbeddingOverloadedException}, so split huge requests.
   * The texts may be embedded in several batches, mixed with other requests.
   */
  public CompletableFuture<List<float[]>> embedAll(List<String> texts) {
    Objects.requireNonNull(texts, "texts");
    List<Pending> pendings = new ArrayList<>(texts.size());
    for (String text : texts) {
      pendings.add(new Pending(Objects.requireNonNull(text, "text"), new CompletableFuture<>()));
    }
    if (pendings.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    EmbeddingException rejected = enqueue(pendings);
    if (rejected != null) {
      return CompletableFuture.failedFuture(rejected);
    }
    CompletableFuture<?>[] futures = pendings.stream().map(Pending::future).toArray(CompletableFuture<?>[]::new);
    return CompletableFuture.allOf(futures)
        .thenApply(done -> pendings.stream().map(pending -> pending.future().join()).toList());
  }

  /**
   * Fails every queued request with {@link EmbeddingException}, lets the batch being embedded finish, and
   * returns once the thread has stopped, so that the delegate is no longer in use (unless called on the
   * embedder thread itself, from a callback: then it cannot wait). Later requests fail. Idempotent.
   */
  @Override
  public void close() {
    List<Pending> abandoned;
    synchronized (this) {
      abandoned = new ArrayList<>(queue);
      queue.clear();
      closed = true;
      notifyAll();
    }
    EmbeddingException failure = new EmbeddingException("embedder closed");
    // Outside the lock: completing runs the callers' callbacks.
    abandoned.forEach(pending -> pending.future().completeExceptionally(failure));
    if (Thread.currentThread() != worker) {
      try {
        worker.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // give up waiting; the thread still stops after its batch
      }
    }
  }

  /** Null if queued, else why not; the futures are untouched then (nobody has them yet). */
  private synchronized EmbeddingException enqueue(List<Pending> pendings) {
    if (closed) {
      return new EmbeddingException("embedder closed");
    }
    if (queue.size() + pendings.size() > maxQueued) {
      return new EmbeddingOverloadedException(
          "embedding queue full: " + queue.size() + " texts waiting, " + pendings.size() + " more refused");
    }
    queue.addAll(pendings);
    notifyAll();
    return null;
  }

  private void run() {
    List<Pending> batch = new ArrayList<>(maxBatch);
    while (true) {
      synchronized (this) {
        while (queue.isEmpty() && !closed) {
          try {
            wait();
          } catch (InterruptedException e) {
            // Only close() stops this thread: exiting here would leave queued futures pending forever.
          }
        }
        if (closed) {
          return; // close() failed whatever was still queued
        }
        while (batch.size() < maxBatch && !queue.isEmpty()) {
          Pending pending = queue.poll();
          if (!pending.future().isDone()) { // not cancelled by its caller
            batch.add(pending);
          }
        }
      }
      if (!batch.isEmpty()) {
        embedBatch(batch);
        batch.clear();
      }
    }
  }

  private void embedBatch(List<Pending> batch) {
    List<float[]> vectors;
    try {
      vectors = delegate.embed(batch.stream().map(Pending::text).toList());
      if (vectors == null || vectors.size() != batch.size()) {
        throw new EmbeddingException("embedder returned " + (vectors == null ? "null" : vectors.size() + " vectors")
            + " for " + batch.size() + " texts");
      }
    } catch (Throwable t) {
      // Errors too: if this thread died, every later request would wait forever.
      batch.forEach(pending -> pending.future().completeExceptionally(t));
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).future().complete(vectors.get(i));
    }
  }
}
