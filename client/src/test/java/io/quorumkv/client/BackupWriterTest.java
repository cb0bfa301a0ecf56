package io.quorumkv.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.v1.BackupFile;
import io.quorumkv.proto.v1.BackupFileChunk;
import io.quorumkv.proto.v1.BackupManifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link BackupWriter}: what it accepts from a stream, the progress it reports and what it leaves on disk. */
class BackupWriterTest {

  @TempDir
  Path dir;

  private static final BackupManifest MANIFEST = BackupManifest.newBuilder()
      .setClusterId("c").setMemberId("n1").setAppliedTerm(2).setAppliedIndex(9)
      .addFiles(BackupFile.newBuilder().setName("000001.sst").setSize(6))
      .addFiles(BackupFile.newBuilder().setName("LOCK").setSize(0))
      .build();

  private static BackupFileChunk chunk(String name, long offset, String data) {
    return BackupFileChunk.newBuilder().setName(name).setOffset(offset)
        .setData(ByteString.copyFrom(data, StandardCharsets.UTF_8)).build();
  }

  @Test
  void countsBytesAndCompleteFilesAndWritesTheManifestWithChecksumsLast() throws IOException {
    BackupWriter writer = new BackupWriter(dir, MANIFEST);
    writer.write(chunk("000001.sst", 0, "abc"));
    assertThat(writer.progress()).isEqualTo(new BackupProgress(3, 6, 0, 2));
    writer.write(chunk("000001.sst", 3, "def"));
    writer.write(chunk("LOCK", 0, ""));
    assertThat(writer.progress()).isEqualTo(new BackupProgress(6, 6, 2, 2));
    assertThat(writer.progress().percent()).isEqualTo(100);
    assertThat(dir.resolve(AdminClient.MANIFEST_FILE)).doesNotExist();

    BackupResult result = writer.finish();

    assertThat(result).isEqualTo(new BackupResult(dir, "c", "n1", 2, 9, 2, 6));
    assertThat(Files.readString(dir.resolve("000001.sst"))).isEqualTo("abcdef");
    // SHA-256 of "abcdef".
    assertThat(Files.readString(dir.resolve(AdminClient.MANIFEST_FILE)))
        .contains("bef57ec7f53a6d40beb640a780a639c83bc29ac8a9816f1fc6c5c6dcd93c4721");
  }

  @Test
  void refusesGapsOverrunsUnknownFilesAndIncompleteBackups() throws IOException {
    BackupWriter writer = new BackupWriter(dir, MANIFEST);
    assertThatThrownBy(() -> writer.write(chunk("000001.sst", 1, "b"))).hasMessageContaining("does not follow byte 0");
    assertThatThrownBy(() -> writer.write(chunk("000001.sst", 0, "abcdefg"))).hasMessageContaining("of 6");
    assertThatThrownBy(() -> writer.write(chunk("other", 0, "x"))).hasMessageContaining("not in the manifest");
    writer.write(chunk("000001.sst", 0, "abc"));
    assertThatThrownBy(writer::finish).hasMessageContaining("'000001.sst' is incomplete: 3 of 6 bytes");
    assertThat(dir.resolve(AdminClient.MANIFEST_FILE)).doesNotExist();
  }

  @Test
  void refusesAManifestNamingPathsOutsideTheDirectory() {
    BackupManifest escaping = MANIFEST.toBuilder().addFiles(BackupFile.newBuilder().setName("../x").setSize(1)).build();
    assertThatThrownBy(() -> new BackupWriter(dir, escaping)).hasMessageContaining("unacceptable file: '../x'");
  }
}
