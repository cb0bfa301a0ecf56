package io.quorumkv.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quorumkv.client.ClientTls;
import io.quorumkv.client.Entry;
import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.client.QuorumKvException;
import io.quorumkv.client.ReadOptions;
import io.quorumkv.client.ScanOptions;
import io.quorumkv.client.Values;
import io.quorumkv.proto.v1.Member;
import io.quorumkv.server.config.TlsSettings;
import io.quorumkv.server.raft.LeaderCheckpointFetcher;
import io.quorumkv.server.tls.MemberTls;
import io.quorumkv.statemachine.storage.RocksKvStore;
import io.quorumkv.cli.QuorumKvCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.ratis.protocol.RaftPeer;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A cluster with TLS everywhere and client certificates required: replication (Raft over mutual TLS),
 * clients with the CA and a certificate, members calling each other's client port (status, state copies)
 * all work; a client without a certificate, one that does not trust the CA, and a plaintext one are
 * refused with a message that says so.
 */
class TlsIT {

  @Test
  void aTlsClusterServesClientsWithCertificatesAndRefusesTheOthers() throws Exception {
    Path dir = TestSupport.newTestDir("tls-");
    TestCertificates certs = TestCertificates.create(dir.resolve("certs"), "n1", "n2", "n3", "client");
    TestCertificates otherCa = TestCertificates.create(dir.resolve("other"), "client");
    TlsSettings tls = new TlsSettings(Optional.of(certs.ca()), certs.certPattern(), certs.keyPattern(),
        TlsSettings.ClientAuth.REQUIRE);
    try (MiniCluster cluster = MiniCluster.start(3, tls)) {
      String leader = cluster.awaitLeader(Duration.ofSeconds(30));
      String follower = cluster.aFollower(leader, Duration.ofSeconds(10));
      ClientTls clientTls = ClientTls.mutual(certs.ca(), certs.cert("client"), certs.key("client"));
      long last;
      try (QuorumKvClient kv = QuorumKvClient.builder().endpoints(List.of(cluster.endpoint(follower),
          cluster.endpoint(leader))).tls(clientTls).build()) {
        for (int i = 0; i < 30; i++) {
          last = kv.put(String.format("tls/%02d", i), Values.text("v" + i)).index();
        }
        assertThat(kv.increment("tls-counter", 5)).isEqualTo(5);
        assertThat(kv.get("tls/07", ReadOptions.linearizable()).map(Entry::value)).contains(Values.text("v7"));
        assertThat(kv.scanAll(ScanOptions.builder().prefix("tls/").pageSize(7).build()).map(Entry::keyUtf8).toList())
            .hasSize(30).first().isEqualTo("tls/00");
        assertThat(kv.delete("tls/00")).isTrue();
        last = kv.put("tls/last", Values.text("x")).index();
        List<Member> members = kv.clusterStatus().getMembersList();
        assertThat(members).as("members reach each other's client port").allMatch(Member::getReachable);
      }
      for (String id : cluster.runningIds()) {
        cluster.awaitApplied(id, last, Duration.ofSeconds(20));
      }
      Path copy = dir.resolve("copy");
      new LeaderCheckpointFetcher(cluster.config(), new MemberTls(cluster.config(), follower))
          .fetch(RaftPeer.newBuilder().setId(leader).setAddress(cluster.config().requireNode(leader).raftAddress()).build(),
              last, copy);
      assertThat(RocksKvStore.appliedIndexOf(copy).getIndex()).as("a state copy over TLS").isGreaterThanOrEqualTo(last);

      String endpoint = cluster.endpoint(leader);
      StringWriter out = new StringWriter();
      CommandLine cli = QuorumKvCli.commandLine(System.in);
      cli.setOut(new PrintWriter(out, true));
      assertThat(cli.execute("--endpoints", endpoint, "--cacert", certs.ca().toString(), "--cert",
          certs.cert("client").toString(), "--key", certs.key("client").toString(), "get", "tls/07"))
          .as("the CLI over mutual TLS").isZero();
      assertThat(out.toString().trim()).isEqualTo("v7");
      assertRefused(QuorumKvClient.builder().endpoints(endpoint).tls(ClientTls.trusting(certs.ca())),
          "the member requires a client certificate");
      assertRefused(QuorumKvClient.builder().endpoints(endpoint)
          .tls(ClientTls.mutual(otherCa.ca(), otherCa.cert("client"), otherCa.key("client"))),
          "does not trust the other's certificate");
      assertRefused(QuorumKvClient.builder().endpoints(endpoint), "serves TLS");
    }
  }

  private static void assertRefused(QuorumKvClient.Builder builder, String mentions) {
    try (QuorumKvClient kv = builder.overallTimeout(Duration.ofSeconds(3)).build()) {
      assertThatThrownBy(() -> kv.get("tls/01", ReadOptions.linearizable()))
          .isInstanceOf(QuorumKvException.class)
          .satisfies(e -> System.out.println("TlsIT: refused as expected: " + e.getMessage()))
          .hasMessageContaining(mentions);
    }
  }
}
