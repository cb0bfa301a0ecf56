package io.quorumkv.client;

import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.quorumkv.proto.v1.BackupChunk;
import io.quorumkv.proto.v1.BackupRequest;
import io.quorumkv.proto.v1.ClusterGrpc;
import io.quorumkv.proto.v1.Member;
import io.quorumkv.proto.v1.MemberStatusRequest;
import io.quorumkv.proto.v1.SnapshotRequest;
import io.quorumkv.proto.v1.SnapshotResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Operations addressed to one member rather than to the cluster: its status, snapshots and backups. Obtained from
 * {@link QuorumKvClient#admin()}. These calls are not retried: they are cheap to repeat by hand and a
 * backup must restart from scratch anyway.
 */
public final class AdminClient {
  /** The manifest a backup directory holds; written last, so its presence marks a complete backup. */
  public static final String MANIFEST_FILE = "backup.json";

  private final ChannelPool channels;
  private final Duration callTimeout;

  AdminClient(ChannelPool channels, Duration callTimeout) {
    this.channels = channels;
    this.callTimeout = callTimeout;
  }

  /**
   * The status of the member at {@code endpoint} as it sees itself: role, indexes, and whether it serves
   * clients ({@code serving}, {@code not_serving_reasons}; see cluster.proto).
   */
  public Member memberStatus(String endpoint) {
    try {
      return ClusterGrpc.newBlockingStub(channels.channel(endpoint))
          .withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
          .memberStatus(MemberStatusRequest.getDefaultInstance()).getMember();
    } catch (StatusRuntimeException e) {
      throw failure(e, endpoint);
    }
  }

  /** Asks the member at {@code endpoint} to take a snapshot now (and purge its log up to it). */
  public SnapshotResult snapshot(String endpoint) {
    try {
      SnapshotResponse r = ClusterGrpc.newBlockingStub(channels.channel(endpoint))
          .withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
          .snapshot(SnapshotRequest.getDefaultInstance());
      return new SnapshotResult(r.getHeader().getMemberId(), r.getSnapshotIndex());
    } catch (StatusRuntimeException e) {
      throw failure(e, endpoint);
    }
  }

  /**
   * Takes an online backup of the member at {@code endpoint} into {@code dir}, which must be absent or
   * empty: the member's files plus {@value #MANIFEST_FILE} (applied index, file sizes and SHA-256 sums).
   *
   * @param progress called as chunks arrive, on the calling thread
   */
  public BackupResult backup(String endpoint, Path dir, ReadOptions read, Consumer<BackupProgress> progress) {
    prepareEmptyDirectory(dir);
    // Cancelling the context ends the stream on the server too (and deletes its checkpoint) if we fail here.
    Context.CancellableContext call = Context.current().withCancellation();
    try {
      return call.call(() -> receive(endpoint, dir, read, progress));
    } catch (StatusRuntimeException e) {
      throw failure(e, endpoint);
    } catch (IOException e) {
      throw new UncheckedIOException("backup into " + dir + " failed", e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      call.cancel(null);
    }
  }

  private BackupResult receive(String endpoint, Path dir, ReadOptions read, Consumer<BackupProgress> progress)
      throws IOException {
    Iterator<BackupChunk> stream = ClientCalls.blockingServerStreamingCall(channels.channel(endpoint),
        ClusterGrpc.getBackupMethod(), CallOptions.DEFAULT, BackupRequest.newBuilder().setRead(read.toProto()).build());
    BackupWriter writer = null;
    while (stream.hasNext()) {
      BackupChunk chunk = stream.next();
      if (chunk.hasManifest()) {
        if (writer != null) {
          throw new IOException("member at " + endpoint + " sent a second manifest");
        }
        writer = new BackupWriter(dir, chunk.getManifest());
      } else {
        if (writer == null) {
          throw new IOException("member at " + endpoint + " sent file data before the manifest");
        }
        writer.write(chunk.getFileChunk());
        progress.accept(writer.progress());
      }
    }
    if (writer == null) {
      throw new IOException("member at " + endpoint + " ended the backup without a manifest");
    }
    return writer.finish();
  }

  private static void prepareEmptyDirectory(Path dir) {
    try {
      Files.createDirectories(dir);
      try (Stream<Path> entries = Files.list(dir)) {
        if (entries.findAny().isPresent()) {
          throw new IllegalArgumentException("backup directory " + dir + " is not empty");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create backup directory " + dir, e);
    }
  }

  private static QuorumKvException failure(StatusRuntimeException e, String endpoint) {
    return Failure.classify(e, endpoint).map(Failure::toException)
        .orElseGet(() -> new QuorumKvException(e.getMessage(), e.getStatus().getCode(), null, endpoint, e));
  }
}
