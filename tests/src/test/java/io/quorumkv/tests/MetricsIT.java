package io.quorumkv.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quorumkv.client.IndexSpec;
import io.quorumkv.client.InvalidRequestException;
import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.client.ReadOptions;
import io.quorumkv.client.Values;
import io.quorumkv.server.config.NodeSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Each member's /metrics endpoint serves valid Prometheus text, and its figures follow the traffic: call
 * counts by method and code, applied entries, the Raft role, RocksDB and the JVM.
 */
class MetricsIT {
  private static final int PUTS = 25;
  private static final int GETS = 7;
  private static final Path DASHBOARD = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
      .toAbsolutePath().getParent().resolve("docs/grafana/quorumkv-dashboard.json");

  @Test
  void metricsParseAsPrometheusTextAndMoveWithTraffic() throws Exception {
    try (MiniCluster cluster = MiniCluster.start(3)) {
      String leader = cluster.awaitLeader(Duration.ofSeconds(30));
      Map<String, List<PrometheusText.Sample>> before = scrapeAll(cluster);
      try (QuorumKvClient client = QuorumKvClient.builder().endpoints(cluster.endpoint(leader)).build()) {
        client.createIndex(IndexSpec.builder("m").keyPrefix("m/").textValues(true).build());
        for (int i = 0; i < PUTS; i++) {
          client.put("m/" + i, Values.text("v" + i));
        }
        for (int i = 0; i < GETS; i++) {
          assertThat(client.get("m/" + i, ReadOptions.linearizable())).isPresent();
        }
        assertThatThrownBy(() -> client.put("", Values.text("empty key"))).isInstanceOf(InvalidRequestException.class);
      }
      Map<String, List<PrometheusText.Sample>> after = scrapeAll(cluster);

      List<PrometheusText.Sample> l0 = before.get(leader);
      List<PrometheusText.Sample> l1 = after.get(leader);
      assertThat(value(l1, "quorumkv_rpc_requests_total", "method", "quorumkv.v1.KV/Put", "code", "OK")
          - value(l0, "quorumkv_rpc_requests_total", "method", "quorumkv.v1.KV/Put", "code", "OK")).isEqualTo(PUTS);
      assertThat(value(l1, "quorumkv_rpc_requests_total", "method", "quorumkv.v1.KV/Get", "code", "OK")
          - value(l0, "quorumkv_rpc_requests_total", "method", "quorumkv.v1.KV/Get", "code", "OK")).isEqualTo(GETS);
      assertThat(value(l1, "quorumkv_rpc_requests_total", "method", "quorumkv.v1.KV/Put", "code", "INVALID_ARGUMENT"))
          .isEqualTo(1);
      assertThat(value(l1, "quorumkv_rpc_duration_seconds_count", "method", "quorumkv.v1.KV/Put"))
          .isGreaterThanOrEqualTo(PUTS + 1);
      assertThat(value(l1, "quorumkv_rpc_duration_seconds_bucket", "method", "quorumkv.v1.KV/Put", "le", "+Inf"))
          .isEqualTo(value(l1, "quorumkv_rpc_duration_seconds_count", "method", "quorumkv.v1.KV/Put"));

      for (String id : cluster.runningIds()) {
        List<PrometheusText.Sample> m0 = before.get(id);
        List<PrometheusText.Sample> m1 = after.get(id);
        assertThat(value(m1, "quorumkv_raft_role", "role", "leader")).as(id).isEqualTo(id.equals(leader) ? 1 : 0);
        assertThat(value(m1, "quorumkv_raft_applied_index") - value(m0, "quorumkv_raft_applied_index"))
            .as("%s applied the puts", id).isPositive();
        assertThat(value(m1, "quorumkv_apply_duration_seconds_count")).as(id)
            .isGreaterThan(value(m0, "quorumkv_apply_duration_seconds_count"));
        assertThat(value(m1, "quorumkv_raft_term")).as(id).isPositive();
        assertThat(value(m1, "quorumkv_raft_commit_index")).as(id)
            .isGreaterThanOrEqualTo(value(m1, "quorumkv_raft_applied_index") - 1000);
        assertThat(value(m1, "quorumkv_rocksdb", "figure", "memtable_bytes")).as(id).isPositive();
        assertThat(value(m1, "jvm_memory_used_bytes", "area", "heap")).as(id).isPositive();
        assertThat(m1).as(id).anyMatch(s -> s.name().startsWith("jvm_gc_collection_seconds"));
      }
      // Every metric the Grafana dashboard queries is one a member serves.
      Set<String> served = new HashSet<>();
      after.values().forEach(samples -> samples.forEach(sample -> served.add(sample.name())));
      Matcher used = Pattern.compile("\\b(quorumkv|jvm)_[a-z0-9_]+").matcher(Files.readString(DASHBOARD));
      int checked = 0;
      while (used.find()) {
        assertThat(served).as("metric %s of %s", used.group(), DASHBOARD).contains(used.group());
        checked++;
      }
      assertThat(checked).as("metrics the dashboard uses").isGreaterThan(20);
      // Health may blink on a loaded machine (a follower that misses heartbeats for an election timeout
      // starts a pre-vote and forgets its leader): the gauge must show SERVING once the member does.
      for (String id : cluster.runningIds()) {
        TestSupport.await(id + " quorumkv_serving{service=kv} 1", Duration.ofSeconds(15),
            () -> value(scrape(cluster, id), "quorumkv_serving", "service", "kv") == 1);
      }
    }
  }

  private static List<PrometheusText.Sample> scrape(MiniCluster cluster, String id) {
    try {
      return scrapeAll(cluster).get(id);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, List<PrometheusText.Sample>> scrapeAll(MiniCluster cluster) throws Exception {
    Map<String, List<PrometheusText.Sample>> all = new HashMap<>();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    for (String id : cluster.runningIds()) {
      NodeSpec node = cluster.config().requireNode(id);
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(
          URI.create("http://" + node.host() + ":" + node.metricsPort() + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as("GET /metrics of %s: %s", id, r.body()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
      all.put(id, PrometheusText.parse(r.body()));
    }
    return all;
  }

  /** The value of the sample named {@code name} with these label pairs among its labels; 0 if absent. */
  private static double value(List<PrometheusText.Sample> samples, String name, String... labelPairs) {
    return samples.stream().filter(s -> s.name().equals(name)).filter(s -> {
      for (int i = 0; i < labelPairs.length; i += 2) {
        if (!labelPairs[i + 1].equals(s.labels().get(labelPairs[i]))) {
          return false;
        }
      }
      return true;
    }).mapToDouble(PrometheusText.Sample::value).findFirst().orElse(0);
  }
}
