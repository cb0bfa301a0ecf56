package io.quorumkv.statemachine.search;

import io.quorumkv.proto.internal.IndexDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * What an index directory records about itself, and whether a new start may reuse it: its last Lucene
 * commit names the definition and the document format it was written with, and a failed index leaves a
 * marker so that the next start rebuilds it from nothing.
 */
final class IndexFiles {

  /** The document layout of {@link IndexSchema}; bump it when the mapping changes, so old files are rebuilt. */
  static final String FORMAT = "1";
  private static final String FORMAT_KEY = "quorumkv.format";
  private static final String DEFINITION_KEY = "quorumkv.definition";
  private static final String POSITION_KEY = "quorumkv.position";
  private static final String FAILED_MARKER = "FAILED";

  private IndexFiles() {}

  /**
   * The commit user data of an index of {@code definition} that holds every applied entry up to
   * {@code position} (and possibly parts of later ones).
   */
  static Map<String, String> commitData(IndexDefinition definition, long position) {
    return Map.of(FORMAT_KEY, FORMAT,
        DEFINITION_KEY, Base64.getEncoder().encodeToString(definition.toByteArray()),
        POSITION_KEY, Long.toString(position));
  }

  /** The position a commit's user data records; -1 if none (a new index). */
  static long position(Iterable<Map.Entry<String, String>> commitData) {
    for (Map.Entry<String, String> entry : commitData) {
      if (entry.getKey().equals(POSITION_KEY)) {
        try {
          return Long.parseLong(entry.getValue());
        } catch (NumberFormatException e) {
          return -1;
        }
      }
    }
    return -1;
  }

  /**
   * True if {@code dir} holds a committed index of exactly {@code definition} in the current format, and
   * did not fail; anything unreadable counts as not reusable.
   */
  static boolean reusable(Path dir, IndexDefinition definition) {
    if (!Files.isDirectory(dir) || Files.exists(dir.resolve(FAILED_MARKER))) {
      return false;
    }
    try (Directory directory = FSDirectory.open(dir)) {
      if (!DirectoryReader.indexExists(directory)) {
        return false;
      }
      Map<String, String> data = SegmentInfos.readLatestCommit(directory).getUserData();
      String stored = data.get(DEFINITION_KEY);
      return FORMAT.equals(data.get(FORMAT_KEY)) && stored != null
          && IndexDefinition.parseFrom(Base64.getDecoder().decode(stored)).equals(definition);
    } catch (IOException | IllegalArgumentException e) {
      return false;
    }
  }

  /** Leaves the marker that makes the next start rebuild the index in {@code dir}. */
  static void markFailed(Path dir, String why) throws IOException {
    Files.writeString(dir.resolve(FAILED_MARKER), why + "\n");
  }
}
