package io.quorumkv.server.api;

import com.google.protobuf.UnsafeByteOperations;
import io.grpc.stub.ServerCallStreamObserver;
import io.quorumkv.proto.v1.BackupChunk;
import io.quorumkv.proto.v1.BackupFile;
import io.quorumkv.proto.v1.BackupFileChunk;
import io.quorumkv.proto.v1.BackupManifest;
import io.quorumkv.server.Directories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Streams one checkpoint directory to a client as a manifest and then file chunks, sending only while the
 * transport is ready (so a large backup never piles up in memory), and deletes the checkpoint when the
 * stream ends, fails or is cancelled.
 */
final class BackupStreamer {
  private static final int CHUNK_BYTES = 1024 * 1024;

  private final ServerCallStreamObserver<BackupChunk> response;
  private final ByteBuffer buffer = ByteBuffer.allocate(CHUNK_BYTES);
  private Path checkpointDir;
  private List<Path> files = List.of();
  private int fileIndex = -1;
  private FileChannel current;
  private long offset;
  private boolean started;
  private boolean finished;

  private BackupStreamer(ServerCallStreamObserver<BackupChunk> response) {
    this.response = response;
  }

  /**
   * Takes over the call's flow control and cancellation. gRPC accepts these handlers only while the
   * service method runs, so this must be called there, before the checkpoint exists.
   */
  static BackupStreamer attach(ServerCallStreamObserver<BackupChunk> response) {
    BackupStreamer streamer = new BackupStreamer(response);
    response.setOnCancelHandler(streamer::cancelled);
    response.setOnReadyHandler(streamer::sendWhileReady);
    return streamer;
  }

  /** Sends the manifest now and the checkpoint's files as the client reads them; deletes them at the end. */
  synchronized void begin(Path checkpointDir, BackupManifest.Builder manifest) throws IOException {
    this.checkpointDir = checkpointDir;
    if (finished) {
      cleanUp();
      return;
    }
    try (Stream<Path> list = Files.list(checkpointDir)) {
      files = list.filter(Files::isRegularFile).sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
    }
    for (Path f : files) {
      manifest.addFiles(BackupFile.newBuilder().setName(f.getFileName().toString()).setSize(Files.size(f)));
    }
    response.onNext(BackupChunk.newBuilder().setManifest(manifest).build());
    started = true;
    sendWhileReady();
  }

  private synchronized void cancelled() {
    finished = true;
    cleanUp();
  }

  private synchronized void sendWhileReady() {
    try {
      while (started && !finished && response.isReady()) {
        if (!sendNextChunk()) {
          finished = true;
          cleanUp();
          response.onCompleted();
        }
      }
    } catch (IOException | UncheckedIOException e) {
      finished = true;
      cleanUp();
      response.onError(io.grpc.Status.INTERNAL.withDescription("backup failed while reading "
          + (fileIndex >= 0 && fileIndex < files.size() ? files.get(fileIndex).getFileName() : "checkpoint")
          + ": " + e.getMessage()).asRuntimeException());
    }
  }

  /** Sends one chunk; false when every file has been sent. */
  private boolean sendNextChunk() throws IOException {
    while (current == null || offset == current.size()) {
      if (current != null) {
        current.close();
        current = null;
      }
      if (++fileIndex >= files.size()) {
        return false;
      }
      current = FileChannel.open(files.get(fileIndex), StandardOpenOption.READ);
      offset = 0;
      if (current.size() == 0) {
        response.onNext(chunk(new byte[0]));
      }
    }
    buffer.clear();
    int read = current.read(buffer, offset);
    byte[] data = new byte[read];
    buffer.flip().get(data);
    response.onNext(chunk(data));
    offset += read;
    return true;
  }

  private BackupChunk chunk(byte[] data) {
    return BackupChunk.newBuilder().setFileChunk(BackupFileChunk.newBuilder()
        .setName(files.get(fileIndex).getFileName().toString())
        .setOffset(offset)
        .setData(UnsafeByteOperations.unsafeWrap(data))).build();
  }

  private synchronized void cleanUp() {
    try {
      if (current != null) {
        current.close();
        current = null;
      }
      if (checkpointDir != null) {
        Directories.deleteRecursively(checkpointDir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete backup checkpoint " + checkpointDir, e);
    }
  }

}
