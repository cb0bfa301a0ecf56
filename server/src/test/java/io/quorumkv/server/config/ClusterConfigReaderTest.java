package io.quorumkv.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quorumkv.server.tls.MemberTls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterConfigReaderTest {
  @TempDir
  Path dir;

  private ClusterConfig read(String yaml) throws IOException {
    Path file = dir.resolve("cluster.yaml");
    Files.writeString(file, yaml);
    return ClusterConfigReader.read(file);
  }

  @Test
  void appliesDefaultsToAMinimalFile() throws IOException {
    ClusterConfig c = read("""
        cluster: {name: demo}
        nodes:
          - {id: a, raft-port: 9101, client-port: 9001}
        """);
    assertThat(c.name()).isEqualTo("demo");
    assertThat(c.limits()).isEqualTo(Limits.DEFAULTS);
    assertThat(c.raft()).isEqualTo(RaftSettings.DEFAULTS);
    NodeSpec a = c.requireNode("a");
    assertThat(a.host()).isEqualTo("127.0.0.1");
    assertThat(a.clientAddress()).isEqualTo("127.0.0.1:9001");
    assertThat(a.dataDir()).isEqualTo(Path.of("data/demo/a").toAbsolutePath().normalize());
  }

  @Test
  void readsEveryKey() throws IOException {
    ClusterConfig c = read("""
        cluster: {name: demo, data-dir: /srv/q}
        nodes:
          - {id: a, host: 10.0.0.1, raft-port: 1, client-port: 2, data-dir: /d/a}
          - {id: b, raft-port: 3, client-port: 4}
        limits: {max-key-bytes: 100, max-value-bytes: 1000, max-batch-operations: 10, max-batch-bytes: 2000,
                 default-scan-limit: 5, max-scan-limit: 50, max-scan-page-bytes: 4096, max-message-bytes: 1048576}
        raft: {election-timeout-min: 300ms, election-timeout-max: 1s, request-timeout: 2s,
               retry-cache-expiry: 5m, read-timeout: 4s}
        log: {snapshot-every-entries: 500, snapshot-every-bytes: 2097152, snapshots-retained: 3,
              purge-keeps-entries: 20, segment-bytes: 1048576, snapshot-install: member-fetches}
        writes: {max-entries-in-flight: 3, max-writes-per-entry: 64, max-queued-writes: 100}
        """);
    assertThat(c.requireNode("a").dataDir()).isEqualTo(Path.of("/d/a"));
    assertThat(c.requireNode("b").dataDir()).isEqualTo(Path.of("/srv/q/b"));
    assertThat(c.limits()).isEqualTo(new Limits(100, 1000, 10, 2000, 5, 50, 4096, 1048576));
    assertThat(c.raft()).isEqualTo(new RaftSettings(Duration.ofMillis(300), Duration.ofSeconds(1),
        Duration.ofSeconds(2), Duration.ofMinutes(5), Duration.ofSeconds(4)));
    assertThat(c.log()).isEqualTo(new LogSettings(500, 2097152, 3, 20, 1048576, SnapshotInstall.MEMBER_FETCHES));
    assertThat(c.writes()).isEqualTo(new WriteSettings(3, 64, 100));
  }

  @Test
  void snapshotInstallDefaultsToLeaderSendsAndRejectsOtherNames() throws IOException {
    String nodes = "\nnodes: [{id: a, raft-port: 1, client-port: 2}]\n";
    assertThat(read("cluster: {name: x}" + nodes).log().snapshotInstall()).isEqualTo(SnapshotInstall.LEADER_SENDS);
    assertThatThrownBy(() -> read("cluster: {name: x}\nlog: {snapshot-install: pull}" + nodes))
        .isInstanceOf(ConfigException.class)
        .hasMessage("log.snapshot-install must be leader-sends or member-fetches, not 'pull'");
  }

  @Test
  void readsTlsAndMetricsPorts() throws IOException {
    String nodes = "nodes: [{id: n1, raft-port: 1, client-port: 2, metrics-port: 3}, {id: n2, raft-port: 4, client-port: 5}]\n";
    ClusterConfig plain = read("cluster: {name: x}\n" + nodes);
    assertThat(plain.tls().enabled()).isFalse();
    assertThat(plain.nodes()).extracting(NodeSpec::metricsPort).containsExactly(3, 0);
    ClusterConfig tls = read("cluster: {name: x}\n" + nodes
        + "tls: {ca-file: c/ca.crt, cert-file: 'c/{id}.crt', key-file: 'c/{id}.key', client-auth: require}\n");
    assertThat(tls.tls().enabled()).isTrue();
    assertThat(tls.tls().certFor("n2")).isEqualTo(Path.of("c/n2.crt"));
    assertThat(tls.tls().keyFor("n1")).isEqualTo(Path.of("c/n1.key"));
    assertThat(tls.tls().clientAuth()).isEqualTo(TlsSettings.ClientAuth.REQUIRE);
    assertThatThrownBy(() -> read("cluster: {name: x}\n" + nodes + "tls: {ca-file: a, cert-file: b, key-file: c,"
        + " client-auth: sometimes}\n")).hasMessageContaining("tls.client-auth");
    assertThatThrownBy(() -> read("cluster: {name: x}\n" + nodes + "tls: {ca-file: a}\n"))
        .hasMessageContaining("tls.cert-file");
    assertThatThrownBy(() -> new MemberTls(tls, "n1")).hasMessageContaining("cannot read");
  }

  @Test
  void clusterIdIsStableAndDependsOnTheName() throws IOException {
    String nodes = "\nnodes: [{id: a, raft-port: 1, client-port: 2}]\n";
    assertThat(read("cluster: {name: x}" + nodes).clusterId()).isEqualTo(read("cluster: {name: x}" + nodes).clusterId());
    assertThat(read("cluster: {name: x}" + nodes).clusterId()).isNotEqualTo(read("cluster: {name: y}" + nodes).clusterId());
  }

  @Test
  void rejectsUnknownKeysByTheirFullName() {
    assertThatThrownBy(() -> read("""
        cluster: {name: demo}
        nodes: [{id: a, raft-port: 1, client-port: 2, clientport: 3}]
        """)).isInstanceOf(ConfigException.class).hasMessageContaining("nodes[0].clientport");
    assertThatThrownBy(() -> read("""
        cluster: {name: demo}
        nodes: [{id: a, raft-port: 1, client-port: 2}]
        raft: {election-timeout: 1s}
        """)).hasMessageContaining("raft.election-timeout");
  }

  @Test
  void rejectsInvalidValues() {
    String node = "nodes: [{id: a, raft-port: 1, client-port: 2}]\n";
    assertThatThrownBy(() -> read(node)).hasMessageContaining("cluster.name");
    assertThatThrownBy(() -> read("cluster: {name: d}\nnodes: []\n")).hasMessageContaining("nodes");
    assertThatThrownBy(() -> read("cluster: {name: d}\nnodes: [{id: 'a b', raft-port: 1, client-port: 2}]\n"))
        .hasMessageContaining("nodes[0].id");
    assertThatThrownBy(() -> read("cluster: {name: d}\nnodes: [{id: a, raft-port: 70000, client-port: 2}]\n"))
        .hasMessageContaining("nodes[0].raft-port");
    assertThatThrownBy(() -> read("cluster: {name: d}\n" + node + "raft: {read-timeout: soon}\n"))
        .hasMessageContaining("raft.read-timeout");
    assertThatThrownBy(() -> read("cluster: {name: d}\n" + node + "log: {snapshots-retained: 1}\n"))
        .hasMessageContaining("log.snapshots-retained");
    assertThatThrownBy(() -> read("cluster: {name: d}\n" + node + "limits: {max-key-bytes: 0}\n"))
        .hasMessageContaining("limits.max-key-bytes");
    assertThatThrownBy(() -> read("cluster: {name: d}\n" + node + "limits: {max-message-bytes: 1048576}\n"))
        .hasMessageContaining("limits.max-message-bytes");
    assertThatThrownBy(() -> read("cluster: {name: d}\n" + node + "writes: {max-entries-in-flight: 0}\n"))
        .hasMessageContaining("writes.max-entries-in-flight");
    assertThatThrownBy(() -> read("cluster: {name: d}\n"
        + "nodes: [{id: a, raft-port: 1, client-port: 2}, {id: a, raft-port: 3, client-port: 4}]\n"))
        .hasMessageContaining("duplicate id");
    assertThatThrownBy(() -> read("cluster: {name: d}\n"
        + "nodes: [{id: a, raft-port: 1, client-port: 2}, {id: b, raft-port: 2, client-port: 4}]\n"))
        .hasMessageContaining("reuses an address");
  }

  @Test
  void shippedClusterFilesAreValid() {
    Path configDir = Path.of("..", "cluster-config");
    for (String name : new String[] {"single.yaml", "local-3.yaml", "reference.yaml"}) {
      ClusterConfig c = ClusterConfigReader.read(configDir.resolve(name));
      assertThat(c.nodes()).isNotEmpty();
    }
    assertThat(ClusterConfigReader.read(configDir.resolve("local-3.yaml")).nodes()).hasSize(3);
    // The reference file documents the defaults: reading it must give exactly the defaults in code.
    ClusterConfig reference = ClusterConfigReader.read(configDir.resolve("reference.yaml"));
    assertThat(reference.limits()).isEqualTo(Limits.DEFAULTS);
    assertThat(reference.raft()).isEqualTo(RaftSettings.DEFAULTS);
    assertThat(reference.log()).isEqualTo(LogSettings.DEFAULTS);
    assertThat(reference.sessions()).isEqualTo(SessionSettings.DEFAULTS);
    assertThat(reference.writes()).isEqualTo(WriteSettings.DEFAULTS);
  }
}
