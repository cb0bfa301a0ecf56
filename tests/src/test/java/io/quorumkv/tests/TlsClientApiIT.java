package io.quorumkv.tests;

import io.quorumkv.client.ClientTls;
import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.server.config.TlsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;

/**
 * The spine's client checks ({@link ClientApiIT}, every test of it) against a cluster that serves clients
 * and talks between members over mutual TLS only, with certificates made by openssl for this run.
 */
class TlsClientApiIT extends ClientApiIT {

  /** Hides {@link ClientApiIT#start()}: the same cluster and client, over TLS. */
  @BeforeAll
  static void start() throws Exception {
    Path dir = TestSupport.newTestDir("tls-api-");
    TestCertificates certs = TestCertificates.create(dir.resolve("certs"), "n1", "n2", "n3", "client");
    TlsSettings tls = new TlsSettings(Optional.of(certs.ca()), certs.certPattern(), certs.keyPattern(),
        TlsSettings.ClientAuth.REQUIRE);
    cluster = MiniCluster.start(3, TestLimits.SMALL, tls);
    kv = QuorumKvClient.builder().endpoints(cluster.endpoints()).overallTimeout(Duration.ofSeconds(20))
        .tls(ClientTls.mutual(certs.ca(), certs.cert("client"), certs.key("client"))).build();
  }
}
