package io.quorumkv.server.restore;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.quorumkv.proto.v1.BackupFile;
import io.quorumkv.proto.v1.BackupManifest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A backup directory written by {@code quorumkv backup}: the member's checkpoint files and
 * {@code backup.json}. {@link #open} refuses anything incomplete or altered.
 */
public final class BackupDirectory {
  public static final String MANIFEST_FILE = "backup.json";

  private final Path dir;
  private final BackupManifest manifest;

  private BackupDirectory(Path dir, BackupManifest manifest) {
    this.dir = dir;
    this.manifest = manifest;
  }

  /**
   * Reads the manifest and checks every file's size and SHA-256.
   *
   * @throws RestoreException naming the first problem found
   */
  public static BackupDirectory open(Path dir) throws IOException {
    Path manifestFile = dir.resolve(MANIFEST_FILE);
    if (!Files.isRegularFile(manifestFile)) {
      throw new RestoreException(dir + " holds no " + MANIFEST_FILE + ": not a complete QuorumKV backup");
    }
    BackupManifest.Builder manifest = BackupManifest.newBuilder();
    try {
      JsonFormat.parser().ignoringUnknownFields().merge(Files.readString(manifestFile), manifest);
    } catch (InvalidProtocolBufferException e) {
      throw new RestoreException(manifestFile + " is not a valid backup manifest: " + e.getMessage());
    }
    if (manifest.getFilesCount() == 0 || manifest.getAppliedIndex() == 0) {
      throw new RestoreException(manifestFile + " lists no files or no applied index");
    }
    for (BackupFile f : manifest.getFilesList()) {
      verify(dir, f);
    }
    return new BackupDirectory(dir, manifest.build());
  }

  public Path dir() {
    return dir;
  }

  public BackupManifest manifest() {
    return manifest;
  }

  private static void verify(Path dir, BackupFile f) throws IOException {
    Path file = dir.resolve(f.getName());
    if (!file.normalize().getParent().equals(dir.normalize()) || !Files.isRegularFile(file)) {
      throw new RestoreException("backup file " + f.getName() + " is missing from " + dir);
    }
    if (Files.size(file) != f.getSize()) {
      throw new RestoreException("backup file " + file + " has " + Files.size(file) + " bytes, the manifest says "
          + f.getSize());
    }
    if (!f.getSha256().isEmpty() && !f.getSha256().equalsIgnoreCase(sha256(file))) {
      throw new RestoreException("backup file " + file + " does not match its SHA-256 in the manifest");
    }
  }

  private static String sha256(Path file) throws IOException {
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM provides SHA-256", e);
    }
  }
}
