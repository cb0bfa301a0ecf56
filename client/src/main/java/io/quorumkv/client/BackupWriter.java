package io.quorumkv.client;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.quorumkv.proto.v1.BackupFile;
import io.quorumkv.proto.v1.BackupFileChunk;
import io.quorumkv.proto.v1.BackupManifest;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a streamed backup into a directory: checks that chunks arrive in order and stay within the
 * manifest's files and sizes, hashes each file, fsyncs, and writes the manifest last (atomically), so a
 * directory with a manifest always holds a complete backup.
 */
final class BackupWriter {
  private final Path dir;
  private final BackupManifest manifest;
  private final Map<String, BackupFile> expected = new LinkedHashMap<>();
  private final Map<String, MessageDigest> digests = new LinkedHashMap<>();
  private final Map<String, Long> written = new LinkedHashMap<>();
  private final long totalBytes;
  private long receivedBytes;
  private int filesDone;
  private String currentName;
  private FileChannel current;

  BackupWriter(Path dir, BackupManifest manifest) throws IOException {
    this.dir = dir;
    this.manifest = manifest;
    long total = 0;
    for (BackupFile f : manifest.getFilesList()) {
      if (!isPlainName(f.getName()) || f.getName().equals(AdminClient.MANIFEST_FILE)) {
        throw new IOException("manifest names an unacceptable file: '" + f.getName() + "'");
      }
      expected.put(f.getName(), f);
      total += f.getSize();
    }
    this.totalBytes = total;
  }

  void write(BackupFileChunk chunk) throws IOException {
    String name = chunk.getName();
    BackupFile file = expected.get(name);
    if (file == null) {
      throw new IOException("chunk for a file not in the manifest: '" + name + "'");
    }
    if (!name.equals(currentName)) {
      closeCurrent();
      if (written.containsKey(name)) {
        throw new IOException("file '" + name + "' was sent twice");
      }
      currentName = name;
      current = FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      digests.put(name, sha256());
      written.put(name, 0L);
    }
    long offset = written.get(name);
    if (chunk.getOffset() != offset || offset + chunk.getData().size() > file.getSize()) {
      throw new IOException("file '" + name + "': chunk at offset " + chunk.getOffset() + " of "
          + chunk.getData().size() + " bytes does not follow byte " + offset + " of " + file.getSize());
    }
    current.write(chunk.getData().asReadOnlyByteBuffer());
    digests.get(name).update(chunk.getData().asReadOnlyByteBuffer());
    written.put(name, offset + chunk.getData().size());
    receivedBytes += chunk.getData().size();
    if (offset + chunk.getData().size() == file.getSize()) {
      filesDone++;
    }
  }

  BackupProgress progress() {
    return new BackupProgress(receivedBytes, totalBytes, filesDone, expected.size());
  }

  /** Verifies every file is complete, then writes the manifest with checksums. */
  BackupResult finish() throws IOException {
    closeCurrent();
    BackupManifest.Builder complete = manifest.toBuilder().clearFiles();
    for (BackupFile f : expected.values()) {
      long got = written.getOrDefault(f.getName(), -1L);
      if (got != f.getSize()) {
        throw new IOException("file '" + f.getName() + "' is incomplete: " + Math.max(0, got) + " of "
            + f.getSize() + " bytes");
      }
      complete.addFiles(f.toBuilder().setSha256(HexFormat.of().formatHex(digests.get(f.getName()).digest())));
    }
    Path tmp = dir.resolve(AdminClient.MANIFEST_FILE + ".tmp");
    Files.writeString(tmp, toJson(complete.build()), StandardCharsets.UTF_8);
    try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      c.force(true);
    }
    Files.move(tmp, dir.resolve(AdminClient.MANIFEST_FILE), StandardCopyOption.ATOMIC_MOVE);
    return new BackupResult(dir, manifest.getClusterId(), manifest.getMemberId(), manifest.getAppliedTerm(),
        manifest.getAppliedIndex(), expected.size(), totalBytes);
  }

  private void closeCurrent() throws IOException {
    if (current != null) {
      current.force(true);
      current.close();
      current = null;
    }
  }

  private static String toJson(BackupManifest manifest) {
    try {
      return JsonFormat.printer().preservingProtoFieldNames().print(manifest) + "\n";
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("BackupManifest has no Any fields; printing cannot fail", e);
    }
  }

  private static boolean isPlainName(String name) {
    return !name.isEmpty() && !name.contains("/") && !name.contains("\\") && !name.equals(".") && !name.equals("..");
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM provides SHA-256", e);
    }
  }
}
