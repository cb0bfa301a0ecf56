package io.quorumkv.tests;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.v1.WriteId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/** Small helpers shared by the integration tests. */
final class TestSupport {
  private TestSupport() {}

  /** A port that was free a moment ago; collisions are possible but rare on a test machine. */
  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A fresh directory under the build's test dir (target/it), kept after the run for post-mortems. */
  static Path newTestDir(String prefix) throws IOException {
    Path root = Files.createDirectories(Path.of(System.getProperty("quorumkv.test.dir",
        System.getProperty("java.io.tmpdir"))));
    return Files.createTempDirectory(root, prefix);
  }

  /**
   * Waits until {@code condition} holds, checking every 50 ms; fails with an AssertionError naming
   * {@code what} after {@code timeout}.
   */
  static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within " + timeout + ": " + what);
      }
      Thread.sleep(50);
    }
  }

  /**
   * The wire form of a write id, as a non-Java client writing one write at a time would build it: its
   * first write opens the session.
   */
  static WriteId writeId(UUID client, long sequence) {
    return WriteId.newBuilder().setClientId(clientId(client)).setSequence(sequence).setNewSession(sequence == 1)
        .build();
  }

  static ByteString clientId(UUID client) {
    ByteBuffer b = ByteBuffer.allocate(16).putLong(client.getMostSignificantBits())
        .putLong(client.getLeastSignificantBits());
    return ByteString.copyFrom(b.array());
  }
}
