package io.quorumkv.server.tls;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.quorumkv.client.ClientTls;
import io.quorumkv.server.config.ClusterConfig;
import io.quorumkv.server.config.ConfigException;
import io.quorumkv.server.config.NodeSpec;
import io.quorumkv.server.config.TlsSettings;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;

/**
 * The TLS a member uses, from the cluster file's {@code tls} section: every member connection (Raft, and
 * one member calling another's client port) is mutual TLS with the member's own certificate; clients get
 * TLS on the client port, with a client certificate as {@code tls.client-auth} says. Plaintext without
 * the section.
 */
public final class MemberTls {
  private final TlsSettings tls;
  private final String nodeId;

  /**
   * The TLS of member {@code nodeId}.
   *
   * @throws ConfigException if TLS is on and one of its files cannot be read
   */
  public MemberTls(ClusterConfig cluster, String nodeId) {
    this.tls = cluster.tls();
    this.nodeId = nodeId;
    tls.checkFilesOf(nodeId);
  }

  public boolean enabled() {
    return tls.enabled();
  }

  /** Ratis' gRPC parameters: mutual TLS on the Raft port and for this member's connections to the others. */
  public Parameters raftParameters() {
    Parameters parameters = new Parameters();
    if (tls.enabled()) {
      GrpcTlsConfig conf = new GrpcTlsConfig(tls.keyFor(nodeId).toFile(), tls.certFor(nodeId).toFile(),
          tls.ca().toFile(), true);
      GrpcConfigKeys.TLS.setConf(parameters, conf);
      GrpcConfigKeys.Server.setTlsConf(parameters, conf);
      GrpcConfigKeys.Client.setTlsConf(parameters, conf);
      GrpcConfigKeys.Admin.setTlsConf(parameters, conf);
    }
    return parameters;
  }

  /** Serves the client port over TLS if it is on. */
  public NettyServerBuilder secure(NettyServerBuilder server) {
    if (!tls.enabled()) {
      return server;
    }
    try {
      return server.sslContext(GrpcSslContexts.forServer(tls.certFor(nodeId).toFile(), tls.keyFor(nodeId).toFile())
          .trustManager(tls.ca().toFile())
          .clientAuth(switch (tls.clientAuth()) {
            case NONE -> ClientAuth.NONE;
            case OPTIONAL -> ClientAuth.OPTIONAL;
            case REQUIRE -> ClientAuth.REQUIRE;
          })
          .build());
    } catch (SSLException | IllegalArgumentException e) {
      throw new ConfigException("tls: cannot use the certificate " + tls.certFor(nodeId) + " and key "
          + tls.keyFor(nodeId) + " of member " + nodeId + ": " + e.getMessage(), e);
    }
  }

  /** How this member connects to another member's client port as a client (our client library). */
  public Optional<ClientTls> asClient() {
    return tls.enabled() ? Optional.of(ClientTls.mutual(tls.ca(), tls.certFor(nodeId), tls.keyFor(nodeId)))
        : Optional.empty();
  }

  /** A channel to another member's client port. */
  public ManagedChannel channelTo(NodeSpec node) {
    return channelTo(node.clientAddress());
  }

  /** A channel to another member's client port, "host:port". */
  public ManagedChannel channelTo(String clientAddress) {
    ChannelCredentials credentials = asClient().map(ClientTls::credentials)
        .orElseGet(InsecureChannelCredentials::create);
    return Grpc.newChannelBuilder(clientAddress, credentials).build();
  }
}
