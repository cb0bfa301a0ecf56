package io.quorumkv.server.api;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.AttachEmbeddingsOp;
import io.quorumkv.proto.internal.Command;
import io.quorumkv.proto.internal.IndexDefinition;
import io.quorumkv.proto.internal.KeyEmbeddings;
import io.quorumkv.proto.v1.KeyValue;
import io.quorumkv.server.raft.RaftGateway;
import io.quorumkv.server.raft.WriteCoalescer;
import io.quorumkv.server.raft.WriteOutcome;
import io.quorumkv.statemachine.KvStateMachine;
import io.quorumkv.statemachine.read.ReadView;
import io.quorumkv.statemachine.search.SearchIndexes;
import io.quorumkv.statemachine.search.SemanticTexts;
import io.quorumkv.statemachine.search.embed.BatchingEmbedder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On the leader, embeds the keys that semantic indexes cover but that were written before the index
 * existed (they carry no embedding), and replicates the vectors with AttachEmbeddings commands, a few
 * dozen keys at a time. Each attachment applies only if its key was not written since (mod index), so a
 * concurrent write, which carries its own embedding, always wins. Followers do nothing: after a leader
 * change the new leader finds the same pending keys in its own indexes and carries on.
 */
public final class EmbeddingBackfill implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddingBackfill.class);
  private static final int KEYS_PER_ROUND = 32;
  private static final long ROUND_PERIOD_MILLIS = 500;
  private static final long ROUND_TIMEOUT_SECONDS = 30;
  private static final long PROGRESS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final RaftGateway raft;
  private final WriteCoalescer writes;
  private final KvStateMachine stateMachine;
  private final SearchIndexes indexes;
  private final WriteEmbeddings embeddings;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "quorumkv-embedding-backfill");
    thread.setDaemon(true);
    return thread;
  });
  private long attachedSinceProgress;
  private long lastProgressNanos = System.nanoTime();

  EmbeddingBackfill(RaftGateway raft, WriteCoalescer writes, KvStateMachine stateMachine, SearchIndexes indexes,
      WriteEmbeddings embeddings) {
    this.raft = raft;
    this.writes = writes;
    this.stateMachine = stateMachine;
    this.indexes = indexes;
    this.embeddings = embeddings;
  }

  /** A running backfill that looks for pending keys twice a second. */
  public static EmbeddingBackfill start(RaftGateway raft, WriteCoalescer writes, KvStateMachine stateMachine,
      SearchIndexes indexes, BatchingEmbedder embedder) {
    EmbeddingBackfill backfill =
        new EmbeddingBackfill(raft, writes, stateMachine, indexes, new WriteEmbeddings(stateMachine, embedder, () -> true));
    backfill.timer.scheduleWithFixedDelay(backfill::roundSafely, ROUND_PERIOD_MILLIS, ROUND_PERIOD_MILLIS,
        TimeUnit.MILLISECONDS);
    return backfill;
  }

  private void roundSafely() {
    try {
      round();
    } catch (Exception e) {
      LOG.warn("embedding backfill round failed (retried): {}", e.toString());
    }
  }

  /** One round: embed up to a few dozen pending keys, replicate their vectors, wait until indexed. */
  void round() throws Exception {
    if (!raft.info().isLeader()) {
      return;
    }
    Map<IndexDefinition, List<ByteString>> pending = indexes.pendingEmbeddings(KEYS_PER_ROUND);
    if (pending.isEmpty()) {
      return;
    }
    List<CompletableFuture<Optional<KeyEmbeddings>>> keys = new ArrayList<>();
    try (ReadView view = stateMachine.openReadView()) {
      for (Map.Entry<IndexDefinition, List<ByteString>> entry : pending.entrySet()) {
        for (ByteString key : entry.getValue()) {
          view.get(key, false).ifPresent(kv -> keys.add(embed(entry.getKey(), kv)));
        }
      }
    }
    AttachEmbeddingsOp.Builder op = AttachEmbeddingsOp.newBuilder();
    for (CompletableFuture<Optional<KeyEmbeddings>> key : keys) {
      key.get(ROUND_TIMEOUT_SECONDS, TimeUnit.SECONDS).ifPresent(op::addKeys);
    }
    if (op.getKeysCount() == 0) {
      return;
    }
    WriteOutcome outcome = writes.write(Command.newBuilder().setAttachEmbeddings(op))
        .get(ROUND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    // The next round must not see these keys as pending again just because the indexer lags.
    indexes.awaitPosition(outcome.logIndex()).get(ROUND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    reportProgress(outcome.result().getAttachEmbeddings().getAttached());
  }

  private CompletableFuture<Optional<KeyEmbeddings>> embed(IndexDefinition definition, KeyValue kv) {
    Map<String, String> texts = SemanticTexts.toEmbed(List.of(definition), kv.getKey(), kv.getValue());
    return embeddings.embed(texts).thenApply(vectors -> vectors.isEmpty() ? Optional.empty()
        : Optional.of(KeyEmbeddings.newBuilder().setKey(kv.getKey()).setModIndex(kv.getModIndex())
            .addAllEmbeddings(vectors).build()));
  }

  private void reportProgress(int attached) {
    attachedSinceProgress += attached;
    if (System.nanoTime() - lastProgressNanos >= PROGRESS_EVERY_NANOS) {
      long waiting = indexes.list().stream().mapToLong(s -> s.pendingEmbeddings()).sum();
      LOG.info("embedding backfill: embedded {} keys in the last {} s; {} keys still wait", attachedSinceProgress,
          TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - lastProgressNanos), waiting);
      attachedSinceProgress = 0;
      lastProgressNanos = System.nanoTime();
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
