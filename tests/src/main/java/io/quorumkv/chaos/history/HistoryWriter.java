package io.quorumkv.chaos.history;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a history as JSON lines so that a failed run can be inspected later: a first line
 * {@code {"originNanos":…}}, then one {@link Operation} per line, then one line {@code {"resend":{…}}} per
 * {@link Resend} (times are the recorder's raw monotonic nanos; subtract the origin for run-relative
 * times).
 */
public final class HistoryWriter {
  private static final ObjectMapper JSON = new ObjectMapper();

  private HistoryWriter() {}

  public static void write(History history, Path file) throws IOException {
    try (BufferedWriter out = Files.newBufferedWriter(file)) {
      out.write("{\"originNanos\":" + history.originNanos() + "}");
      out.newLine();
      for (Operation op : history.operations()) {
        out.write(JSON.writeValueAsString(op));
        out.newLine();
      }
      for (Resend r : history.resends()) {
        out.write("{\"resend\":" + JSON.writeValueAsString(r) + "}");
        out.newLine();
      }
    }
  }
}
