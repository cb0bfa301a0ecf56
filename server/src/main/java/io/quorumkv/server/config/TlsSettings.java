package io.quorumkv.server.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * TLS for every connection of the cluster, or none. With a CA, members talk to each other (Raft, and
 * the client port when one member asks another) over mutual TLS only, and serve clients over TLS.
 *
 * @param caFile PEM certificate(s) of the CA that signs every member's and client's certificate; empty: no TLS
 * @param certFile PEM certificate chain of a member; {@code {id}} stands for the member's id
 * @param keyFile PEM private key (PKCS#8) of a member; {@code {id}} stands for the member's id
 * @param clientAuth whether clients must present a certificate the CA signed
 */
public record TlsSettings(Optional<Path> caFile, String certFile, String keyFile, ClientAuth clientAuth) {

  /** What a member asks of its clients. */
  public enum ClientAuth { NONE, OPTIONAL, REQUIRE }

  public static final TlsSettings NONE = new TlsSettings(Optional.empty(), "", "", ClientAuth.NONE);

  public boolean enabled() {
    return caFile.isPresent();
  }

  public Path ca() {
    return caFile.orElseThrow(() -> new IllegalStateException("TLS is off"));
  }

  public Path certFor(String nodeId) {
    return Path.of(certFile.replace("{id}", nodeId));
  }

  public Path keyFor(String nodeId) {
    return Path.of(keyFile.replace("{id}", nodeId));
  }

  /** Fails with a clear message if a file member {@code nodeId} needs is missing. */
  public void checkFilesOf(String nodeId) {
    if (!enabled()) {
      return;
    }
    for (Path file : new Path[] {ca(), certFor(nodeId), keyFor(nodeId)}) {
      if (!Files.isReadable(file)) {
        throw new ConfigException("tls: cannot read " + file.toAbsolutePath() + " (member " + nodeId + ")");
      }
    }
  }
}
