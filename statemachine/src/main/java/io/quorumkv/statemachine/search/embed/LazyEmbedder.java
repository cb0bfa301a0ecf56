package io.quorumkv.statemachine.search.embed;

import java.util.List;
import java.util.function.Supplier;

/**
 * An {@link Embedder} that loads its model on first use: a member whose cluster has no semantic index
 * never pays the model's start-up time and memory. Thread-safe; the first caller loads, others wait.
 */
public final class LazyEmbedder implements Embedder, AutoCloseable {

  private final Supplier<? extends Embedder> loader;
  private final String model;
  private final int dimension;
  private volatile Embedder loaded;

  /** Loads with {@code loader}; {@code model} and {@code dimension} must be what it will load. */
  public LazyEmbedder(Supplier<? extends Embedder> loader, String model, int dimension) {
    this.loader = loader;
    this.model = model;
    this.dimension = dimension;
  }

  /** all-MiniLM-L6-v2, loaded on first use. */
  public static LazyEmbedder miniLm() {
    return new LazyEmbedder(MiniLmEmbedder::new, MiniLmEmbedder.MODEL_NAME, MiniLmEmbedder.DIMENSION);
  }

  @Override
  public String model() {
    return model;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public List<float[]> embed(List<String> texts) {
    return delegate().embed(texts);
  }

  private Embedder delegate() {
    Embedder current = loaded;
    if (current == null) {
      synchronized (this) {
        current = loaded;
        if (current == null) {
          try {
            current = loader.get();
          } catch (RuntimeException | LinkageError e) {
            throw new EmbeddingException("cannot load the embedding model " + model + ": " + e, e);
          }
          loaded = current;
        }
      }
    }
    return current;
  }

  @Override
  public synchronized void close() throws Exception {
    if (loaded instanceof AutoCloseable closeable) {
      closeable.close();
    }
  }
}
