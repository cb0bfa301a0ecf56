package io.quorumkv.cli;

import io.quorumkv.client.ClientTls;
import io.quorumkv.client.QuorumKvClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** Options accepted by every command, before or after the command name. */
final class GlobalOptions {
  @Option(
      names = "--endpoints",
      paramLabel = "HOST:PORT,...",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:QUORUMKV_ENDPOINTS:-127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003}",
      description =
          "Client endpoints of the cluster members (env QUORUMKV_ENDPOINTS; default: ${DEFAULT-VALUE}).")
  String endpoints;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      scope = ScopeType.INHERIT,
      defaultValue = "15",
      description = "Give up after this many seconds of retrying (default: ${DEFAULT-VALUE}).")
  double timeoutSeconds;

  @Option(
      names = "--cacert",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:QUORUMKV_CACERT}",
      description = "Connect over TLS, trusting this CA's PEM certificate (env QUORUMKV_CACERT).")
  Path caCert;

  @Option(
      names = "--cert",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:QUORUMKV_CERT}",
      description = "With --cacert: this client's PEM certificate, for members that require one (env QUORUMKV_CERT).")
  Path cert;

  @Option(
      names = "--key",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:QUORUMKV_KEY}",
      description = "With --cert: its PEM (PKCS#8) private key (env QUORUMKV_KEY).")
  Path key;

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "Print stack traces of errors.")
  boolean verbose;

  /** The endpoints, one "host:port" each. */
  List<String> endpoints() {
    return Arrays.stream(endpoints.split(",")).map(String::trim).filter(e -> !e.isEmpty()).toList();
  }

  /** A client for these options; the per-attempt timeout never exceeds the overall one. */
  QuorumKvClient newClient() {
    return newClient(true);
  }

  /** Like {@link #newClient()}, with {@link QuorumKvClient.Builder#pipelineWrites} as given. */
  QuorumKvClient newClient(boolean pipelineWrites) {
    if (!(timeoutSeconds > 0)) {
      throw new IllegalArgumentException("--timeout must be positive");
    }
    Duration overall = Duration.ofMillis(Math.max(1, Math.round(timeoutSeconds * 1000)));
    Duration attempt = Duration.ofSeconds(3);
    QuorumKvClient.Builder builder = QuorumKvClient.builder()
        .endpoints(endpoints)
        .overallTimeout(overall)
        .attemptTimeout(overall.compareTo(attempt) < 0 ? overall : attempt)
        .pipelineWrites(pipelineWrites);
    tls().ifPresent(builder::tls);
    return builder.build();
  }

  /** TLS as the options ask for it; empty for plaintext. */
  Optional<ClientTls> tls() {
    if (caCert == null) {
      if (cert != null || key != null) {
        throw new IllegalArgumentException("--cert and --key need --cacert");
      }
      return Optional.empty();
    }
    if ((cert == null) != (key == null)) {
      throw new IllegalArgumentException("--cert and --key go together");
    }
    return Optional.of(cert == null ? ClientTls.trusting(caCert) : ClientTls.mutual(caCert, cert, key));
  }
}
