package io.quorumkv.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.client.QuorumKvException;
import io.quorumkv.client.Values;
import io.quorumkv.proto.v1.CreateIndexRequest;
import io.quorumkv.proto.v1.IndexSpec;
import io.quorumkv.proto.v1.SearchGrpc;
import io.quorumkv.proto.v1.SearchRequest;
import io.quorumkv.proto.v1.SearchResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Searches in a history with leader failures: writers put documents (each key once, with a token of its
 * own) and delete some of them, searchers look tokens up on random members (LINEARIZABLE), and the
 * leader is stopped and restarted every few seconds. Checked over the whole recorded history: a search
 * that started after a put was acknowledged, and ended before a delete of that key was sent, found it;
 * a search that started after a delete was acknowledged did not.
 */
class SearchChaosIT {
  private static final Duration RUN = Duration.ofSeconds(TestScale.isLong() ? 120 : 30);
  private static final Duration LEADER_DOWN_EVERY = Duration.ofSeconds(6);
  private static final int WRITERS = 3;
  private static final int SEARCHERS = 2;

  /** One key's life: put invoked/acknowledged, delete invoked/acknowledged (Long.MAX_VALUE: never). */
  private static final class Doc {
    final String key;
    final String token;
    volatile long putAcked = Long.MAX_VALUE;
    volatile long deleteInvoked = Long.MAX_VALUE;
    volatile long deleteAcked = Long.MAX_VALUE;

    Doc(String key, String token) {
      this.key = key;
      this.token = token;
    }
  }

  private record Search(Doc doc, String member, long invoked, long completed, boolean found, long index) {}

  @Test
  void searchesNeverMissAcknowledgedWritesNorReturnDeletedKeysAcrossLeaderFailures() throws Exception {
    long seed = TestSeeds.seed("SearchChaosIT");
    try (MiniCluster cluster = MiniCluster.start(3);
         QuorumKvClient kv = QuorumKvClient.builder().endpoints(cluster.endpoints())
             .overallTimeout(Duration.ofSeconds(30)).build()) {
      String leader = cluster.awaitLeader(Duration.ofSeconds(20));
      ManagedChannel channel = NettyChannelBuilder.forTarget(cluster.endpoint(leader)).usePlaintext().build();
      SearchGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS).createIndex(CreateIndexRequest
          .newBuilder().setSpec(IndexSpec.newBuilder().setName("chaos").setKeyPrefix(ByteString.copyFromUtf8("c/"))
              .setText(true)).build());
      channel.shutdownNow();
      IndexReadiness.awaitReadyEverywhere(cluster, "chaos");

      Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
      for (String id : cluster.runningIds()) {
        channels.put(id, NettyChannelBuilder.forTarget(cluster.endpoint(id)).usePlaintext().build());
      }
      List<Doc> docs = new CopyOnWriteArrayList<>();
      List<Search> searches = new CopyOnWriteArrayList<>();
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger writeErrors = new AtomicInteger();
      AtomicInteger searchErrors = new AtomicInteger();
      AtomicInteger kills = new AtomicInteger();
      ExecutorService workers = Executors.newFixedThreadPool(WRITERS + SEARCHERS);
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        Random random = new Random(seed + writer);
        workers.submit(() -> {
          for (int n = 0; running.get(); n++) {
            Doc doc = new Doc("c/" + writer + "/" + n, "tok" + writer + "x" + n + "y" + random.nextInt(1000));
            docs.add(doc);
            try {
              kv.put(doc.key, Values.text("document " + n + " holds " + doc.token));
              doc.putAcked = System.nanoTime();
              if (random.nextInt(3) == 0) {
                doc.deleteInvoked = System.nanoTime();
                kv.delete(doc.key);
                doc.deleteAcked = System.nanoTime();
              }
            } catch (QuorumKvException e) {
              writeErrors.incrementAndGet(); // outcome unknown: the checks below never rely on it
            }
          }
          return null;
        });
      }
      for (int s = 0; s < SEARCHERS; s++) {
        Random random = new Random(seed * 31 + s);
        workers.submit(() -> {
          while (running.get()) {
            if (docs.isEmpty()) {
              Thread.sleep(10);
              continue;
            }
            Doc doc = docs.get(Math.max(0, docs.size() - 1 - random.nextInt(Math.min(docs.size(), 50))));
            List<String> members = cluster.runningIds();
            String member = members.get(random.nextInt(members.size()));
            long invoked = System.nanoTime();
            try {
              SearchResponse response = SearchGrpc.newBlockingStub(channels.get(member))
                  .withDeadlineAfter(5, TimeUnit.SECONDS)
                  .search(SearchRequest.newBuilder().setIndex("chaos").setQuery(doc.token).build());
              boolean found = response.getHitsList().stream().anyMatch(h -> h.getKey().toStringUtf8().equals(doc.key));
              searches.add(new Search(doc, member, invoked, System.nanoTime(), found,
                  response.getHeader().getAppliedIndex()));
            } catch (StatusRuntimeException e) {
              searchErrors.incrementAndGet(); // a failed search (no leader yet, member stopping) asserts nothing
            }
          }
          return null;
        });
      }
      long end = System.nanoTime() + RUN.toNanos();
      while (System.nanoTime() < end) {
        Thread.sleep(LEADER_DOWN_EVERY.toMillis());
        Optional<String> current = cluster.leaderId();
        if (current.isPresent()) {
          cluster.stop(current.get());
          kills.incrementAndGet();
          Thread.sleep(1500);
          cluster.start(current.get());
        }
      }
      running.set(false);
      workers.shutdown();
      assertThat(workers.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
      channels.values().forEach(ManagedChannel::shutdownNow);

      List<String> violations = new ArrayList<>();
      int mustFind = 0;
      int mustNotFind = 0;
      for (Search search : searches) {
        Doc doc = search.doc();
        if (doc.putAcked < search.invoked() && search.completed() < doc.deleteInvoked) {
          mustFind++;
          if (!search.found()) {
            violations.add("missed acknowledged " + doc.key + " (" + doc.token + ") on " + search.member()
                + " at index " + search.index());
          }
        } else if (doc.deleteAcked < search.invoked()) {
          mustNotFind++;
          if (search.found()) {
            violations.add("returned deleted " + doc.key + " on " + search.member() + " at index " + search.index());
          }
        }
      }
      System.out.printf("SearchChaosIT (seed %d): %d docs, %d leader stops, %d searches (%d had to find, %d had to"
          + " miss), %d write errors, %d search errors, %d violations%n", seed, docs.size(), kills.get(),
          searches.size(), mustFind, mustNotFind, writeErrors.get(), searchErrors.get(), violations.size());
      assertThat(violations).as("search history violations").isEmpty();
      assertThat(kills.get()).as("leader stops").isGreaterThanOrEqualTo(3);
      assertThat(mustFind).as("searches that had to find their document").isGreaterThan(100);
      assertThat(mustNotFind).as("searches that had to miss a deleted document").isGreaterThan(20);
    }
  }
}
