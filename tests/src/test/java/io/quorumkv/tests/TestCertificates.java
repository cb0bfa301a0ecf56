package io.quorumkv.tests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A CA and certificates it signed, made with the openssl command line as the README's recipe does:
 * {@code <name>.crt} / {@code <name>.key} (PKCS#8) for each name, valid for 127.0.0.1 and localhost.
 */
final class TestCertificates {
  private final Path dir;

  private TestCertificates(Path dir) {
    this.dir = dir;
  }

  /** A CA ({@code ca.crt}) in {@code dir} that signed a certificate for each of {@code names}. */
  static TestCertificates create(Path dir, String... names) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    TestCertificates certs = new TestCertificates(dir);
    certs.openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
        "-days", "2", "-subj", "/CN=quorumkv-test-ca");
    Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    for (String name : names) {
      certs.openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
          "-subj", "/CN=" + name);
      certs.openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key",
          "-CAcreateserial", "-out", name + ".crt", "-days", "2", "-extfile", "san.ext");
    }
    return certs;
  }

  Path ca() {
    return dir.resolve("ca.crt");
  }

  Path cert(String name) {
    return dir.resolve(name + ".crt");
  }

  Path key(String name) {
    return dir.resolve(name + ".key");
  }

  /** {@code <dir>/{id}.crt}: the cluster file's pattern for the members' certificates. */
  String certPattern() {
    return dir.resolve("{id}.crt").toString();
  }

  String keyPattern() {
    return dir.resolve("{id}.key").toString();
  }

  private void openssl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("openssl " + String.join(" ", args) + " failed: " + output);
    }
  }
}
