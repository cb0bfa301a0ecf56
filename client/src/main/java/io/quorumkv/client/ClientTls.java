package io.quorumkv.client;

import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How a client connects to members that serve TLS: the CA that signed the members' certificates, and,
 * for members that require client certificates (mutual TLS), this client's certificate and key.
 *
 * @param caFile PEM certificate(s) of the CA to trust
 * @param certFile PEM certificate chain of this client, if it presents one
 * @param keyFile PEM private key (PKCS#8) of this client, with {@code certFile}
 */
public record ClientTls(Path caFile, Optional<Path> certFile, Optional<Path> keyFile) {

  public ClientTls {
    Objects.requireNonNull(caFile, "caFile");
    if (certFile.isPresent() != keyFile.isPresent()) {
      throw new IllegalArgumentException("a client certificate needs its key, and a key its certificate");
    }
  }

  /** Server authentication only. */
  public static ClientTls trusting(Path caFile) {
    return new ClientTls(caFile, Optional.empty(), Optional.empty());
  }

  /** Mutual TLS: trusts {@code caFile} and presents {@code certFile} / {@code keyFile}. */
  public static ClientTls mutual(Path caFile, Path certFile, Path keyFile) {
    return new ClientTls(caFile, Optional.of(certFile), Optional.of(keyFile));
  }

  /** gRPC channel credentials for these files; fails clearly if one cannot be read. */
  public ChannelCredentials credentials() {
    try {
      TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder().trustManager(readable(caFile).toFile());
      if (certFile.isPresent()) {
        tls.keyManager(readable(certFile.get()).toFile(), readable(keyFile.get()).toFile());
      }
      return tls.build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load the TLS files " + this + ": " + e.getMessage(), e);
    }
  }

  private static Path readable(Path file) throws IOException {
    if (!Files.isReadable(file)) {
      throw new IOException("cannot read " + file.toAbsolutePath());
    }
    return file;
  }
}
