package io.quorumkv.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.quorumkv.proto.v1.Consistency;
import io.quorumkv.proto.v1.CreateIndexRequest;
import io.quorumkv.proto.v1.DeleteRequest;
import io.quorumkv.proto.v1.Filter;
import io.quorumkv.proto.v1.IndexSpec;
import io.quorumkv.proto.v1.KVGrpc;
import io.quorumkv.proto.v1.Member;
import io.quorumkv.proto.v1.NumericRange;
import io.quorumkv.proto.v1.PutRequest;
import io.quorumkv.proto.v1.ReadOptions;
import io.quorumkv.proto.v1.SearchGrpc;
import io.quorumkv.proto.v1.SearchRequest;
import io.quorumkv.proto.v1.SearchResponse;
import io.quorumkv.proto.v1.SemanticField;
import io.quorumkv.proto.v1.Value;
import io.quorumkv.server.config.Limits;
import io.quorumkv.server.config.LogSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A member that caught up by snapshot install, and then restarted, answers the same searches as the
 * leader: its indexes are rebuilt from the installed data, stored embeddings included.
 */
class SearchInstallIT {
  /** Snapshot every 200 entries, keep only 20 behind it: a stopped follower falls behind the purged log. */
  private static final LogSettings FREQUENT = new LogSettings(200, 2, 20, 64 * 1024);
  private static final String[] WORDS = {"amber", "birch", "cedar", "delta", "ember", "fjord", "grove", "harbor",
      "island", "juniper", "kelp", "lagoon", "meadow", "nectar", "orchid", "prairie"};
  private static final String[] TOPICS = {"a dog chasing a ball in the park", "heavy rain and thunder at night",
      "the central bank raised interest rates", "baking bread with sourdough", "a spacecraft orbiting mars",
      "a violin concerto performed live"};

  @Test
  void aMemberRebuiltBySnapshotInstallAnswersLikeTheLeader() throws Exception {
    long seed = TestSeeds.seed("SearchInstallIT");
    Random random = new Random(seed);
    try (MiniCluster cluster = MiniCluster.start(3, Limits.DEFAULTS, FREQUENT)) {
      String leader = cluster.awaitLeader(Duration.ofSeconds(20));
      String follower = cluster.aFollower(leader, Duration.ofSeconds(20));
      ManagedChannel leaderChannel = NettyChannelBuilder.forTarget(cluster.endpoint(leader)).usePlaintext().build();
      try {
        KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(leaderChannel);
        SearchGrpc.SearchBlockingStub search = SearchGrpc.newBlockingStub(leaderChannel);
        search.createIndex(CreateIndexRequest.newBuilder().setSpec(IndexSpec.newBuilder().setName("docs")
            .setKeyPrefix(ByteString.copyFromUtf8("d/")).addTextFields("body").addNumericFields("n")
            .addKeywordFields("word").setSemantic(SemanticField.newBuilder().setField("body"))).build());
        long beforeStop = write(kv, random, 0, 50);
        cluster.awaitApplied(follower, beforeStop, Duration.ofSeconds(20));
        cluster.stop(follower);
        long last = write(kv, random, 50, 700);
        cluster.start(follower);
        cluster.awaitApplied(follower, last, Duration.ofSeconds(60));
        Member caughtUp = Replicas.status(cluster.endpoint(follower));
        assertThat(caughtUp.getLogStartIndex()).as("the follower caught up by snapshot install")
            .isGreaterThan(beforeStop + 1);
        List<SearchRequest> queries = queries(last);
        assertSameAnswers(cluster, leader, follower, queries);
        System.out.printf("SearchInstallIT (seed %d): %s installed a snapshot (log starts at %d) and answers %d"
            + " searches like the leader%n", seed, follower, caughtUp.getLogStartIndex(), queries.size());

        cluster.restart(follower);
        cluster.awaitApplied(follower, last, Duration.ofSeconds(60));
        assertSameAnswers(cluster, leader, follower, queries);
      } finally {
        leaderChannel.shutdownNow();
      }
    }
  }

  /** Puts, overwrites and deletes docs {@code from .. to}; returns the last write's index. */
  private static long write(KVGrpc.KVBlockingStub kv, Random random, int from, int to) {
    long last = 0;
    for (int i = from; i < to; i++) {
      int id = random.nextInt(400);
      ByteString key = ByteString.copyFromUtf8("d/" + id);
      if (random.nextInt(10) == 0) {
        last = kv.delete(DeleteRequest.newBuilder().setKey(key).build()).getHeader().getAppliedIndex();
        continue;
      }
      String word = WORDS[random.nextInt(WORDS.length)];
      String body = TOPICS[random.nextInt(TOPICS.length)] + " near the " + word;
      String json = "{\"body\":\"" + body + "\",\"word\":\"" + word + "\",\"n\":" + random.nextInt(100) + "}";
      last = kv.put(PutRequest.newBuilder().setKey(key).setValue(Value.newBuilder().setJson(json)).build())
          .getHeader().getAppliedIndex();
    }
    return last;
  }

  private static List<SearchRequest> queries(long atLeast) {
    ReadOptions read = ReadOptions.newBuilder().setConsistency(Consistency.STALE).setMinIndex(atLeast).build();
    List<SearchRequest> queries = new ArrayList<>();
    for (String word : WORDS) {
      queries.add(SearchRequest.newBuilder().setIndex("docs").setQuery(word).setTopK(50).setRead(read).build());
      queries.add(SearchRequest.newBuilder().setIndex("docs").addFilters(Filter.newBuilder().setField("word")
          .setEquals(word)).addFilters(Filter.newBuilder().setField("n").setRange(NumericRange.newBuilder().setMax(50)))
          .setTopK(1000).setRead(read).build());
    }
    String[] topics = {"a puppy playing", "stormy weather", "monetary policy", "planets"};
    for (int i = 0; i < topics.length; i++) {
      queries.add(SearchRequest.newBuilder().setIndex("docs").setSemanticText(topics[i]).setTopK(20).setRead(read)
          .build());
      queries.add(SearchRequest.newBuilder().setIndex("docs").setQuery(WORDS[i]).setSemanticText(topics[i]).setTopK(10)
          .setRead(read).build());
    }
    return queries;
  }

  private static void assertSameAnswers(MiniCluster cluster, String leader, String follower,
      List<SearchRequest> queries) throws Exception {
    ManagedChannel a = NettyChannelBuilder.forTarget(cluster.endpoint(leader)).usePlaintext().build();
    ManagedChannel b = NettyChannelBuilder.forTarget(cluster.endpoint(follower)).usePlaintext().build();
    try {
      IndexReadiness.awaitReady(cluster, follower, "docs");
      for (SearchRequest query : queries) {
        SearchResponse expected = SearchGrpc.newBlockingStub(a).withDeadlineAfter(30, TimeUnit.SECONDS).search(query);
        SearchResponse actual = SearchGrpc.newBlockingStub(b).withDeadlineAfter(30, TimeUnit.SECONDS).search(query);
        List<String> actualKeys = actual.getHitsList().stream().map(h -> h.getKey().toStringUtf8()).toList();
        List<String> expectedKeys = expected.getHitsList().stream().map(h -> h.getKey().toStringUtf8()).toList();
        if (query.getQuery().isEmpty() && query.getSemanticText().isEmpty()) {
          assertThat(actualKeys).as("%s on %s vs the leader", query, follower).isEqualTo(expectedKeys);
        } else if (expectedKeys.size() < query.getTopK()) {
          // Ranks may differ a little: BM25 statistics count overwritten documents until Lucene merges them
          // away, and two HNSW graphs built in different orders differ; when every match fits, the hits may not.
          assertThat(actualKeys).as("%s on %s vs the leader", query, follower)
              .containsExactlyInAnyOrderElementsOf(expectedKeys);
        } else {
          // Cut at top_k, those rank differences can swap documents at the cut: most hits are the same.
          long shared = actualKeys.stream().filter(expectedKeys::contains).count();
          assertThat(actualKeys).as("%s on %s vs the leader", query, follower).hasSameSizeAs(expectedKeys);
          assertThat(shared).as("hits shared with the leader: %s vs %s for %s", actualKeys, expectedKeys, query)
              .isGreaterThanOrEqualTo(expectedKeys.size() * 8L / 10);
        }
        assertThat(actual.getTotalHits()).isEqualTo(expected.getTotalHits());
      }
    } finally {
      a.shutdownNow();
      b.shutdownNow();
    }
  }
}
