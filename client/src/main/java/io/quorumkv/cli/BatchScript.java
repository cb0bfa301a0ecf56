package io.quorumkv.cli;

import io.quorumkv.client.Batch;
import io.quorumkv.client.Values;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.List;

/**
 * Parses batch operations, either from command-line words ({@code put k1 v1 del k2}) or from lines
 * ({@code put KEY VALUE} or {@code del KEY}; the value is the rest of the line; blank lines and lines
 * starting with '#' are skipped). Values are text.
 */
final class BatchScript {
  private BatchScript() {}

  /** @throws IllegalArgumentException naming the first malformed operation */
  static Batch fromWords(List<String> words) {
    Batch.Builder batch = Batch.builder();
    int i = 0;
    while (i < words.size()) {
      String op = words.get(i);
      if (op.equals("put") && i + 2 < words.size()) {
        batch.put(words.get(i + 1), Values.text(words.get(i + 2)));
        i += 3;
      } else if (op.equals("del") && i + 1 < words.size()) {
        batch.delete(words.get(i + 1));
        i += 2;
      } else {
        throw new IllegalArgumentException(
            "expected 'put KEY VALUE' or 'del KEY' at word " + (i + 1) + " ('" + op + "')");
      }
    }
    return batch.build();
  }

  /** @throws IllegalArgumentException naming the first malformed line */
  static Batch fromLines(BufferedReader lines) throws IOException {
    Batch.Builder batch = Batch.builder();
    int number = 0;
    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
      number++;
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      String[] parts = trimmed.split("\\s+", 3);
      if (parts[0].equals("put") && parts.length == 3) {
        batch.put(parts[1], Values.text(parts[2]));
      } else if (parts[0].equals("del") && parts.length == 2) {
        batch.delete(parts[1]);
      } else {
        throw new IllegalArgumentException(
            "line " + number + ": expected 'put KEY VALUE' or 'del KEY', got '" + trimmed + "'");
      }
    }
    return batch.build();
  }
}
