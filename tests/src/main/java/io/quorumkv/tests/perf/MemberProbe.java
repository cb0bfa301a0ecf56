package io.quorumkv.tests.perf;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What {@link SearchBench} reads about a member process from Linux's {@code /proc} and from its data dir:
 * resident memory, the exact command, environment, working directory and log file it was started with
 * (to start it again the same way), the on-disk size of its data dir's parts, and its log.
 */
final class MemberProbe {
  private MemberProbe() {}

  /** A member as the bench knows it; pid, dataDir and log may be unknown (null). */
  record Node(String id, String endpoint, Long pid, Path dataDir, Path log) {
    Node withPid(long newPid) {
      return new Node(id, endpoint, newPid, dataDir, log);
    }
  }

  /** A field of {@code /proc/PID/status} in KiB (VmRSS, VmHWM); empty if unreadable. */
  static OptionalLong statusKb(long pid, String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.US_ASCII)) {
        if (line.startsWith(field + ":")) {
          String[] parts = line.substring(field.length() + 1).trim().split("\\s+");
          return OptionalLong.of(Long.parseLong(parts[0]));
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone or not Linux
    }
    return OptionalLong.empty();
  }

  /** Resident set size in MiB, or null. */
  static Double rssMb(Long pid) {
    if (pid == null) {
      return null;
    }
    OptionalLong kb = statusKb(pid, "VmRSS");
    return kb.isPresent() ? kb.getAsLong() / 1024.0 : null;
  }

  /** A VmRSS part in MiB (RssAnon: heap and other private memory; RssFile: mapped files such as Lucene's), or null. */
  static Double statusMb(Long pid, String field) {
    if (pid == null) {
      return null;
    }
    OptionalLong kb = statusKb(pid, field);
    return kb.isPresent() ? kb.getAsLong() / 1024.0 : null;
  }

  /** Peak resident set size in MiB, or null. */
  static Double hwmMb(Long pid) {
    if (pid == null) {
      return null;
    }
    OptionalLong kb = statusKb(pid, "VmHWM");
    return kb.isPresent() ? kb.getAsLong() / 1024.0 : null;
  }

  /** The process's argv. */
  static List<String> cmdline(long pid) throws IOException {
    return nulSeparated(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")));
  }

  /** The process's environment. */
  static Map<String, String> environ(long pid) throws IOException {
    Map<String, String> env = new LinkedHashMap<>();
    for (String kv : nulSeparated(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ")))) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        env.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    return env;
  }

  static Path cwd(long pid) throws IOException {
    return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "cwd"));
  }

  /** The regular file the process's stdout goes to (local-cluster appends it to the member's node.log), or null. */
  static Path stdoutFile(long pid) {
    try {
      Path target = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "fd", "1"));
      return Files.isRegularFile(target) ? target : null;
    } catch (IOException | UnsupportedOperationException e) {
      return null;
    }
  }

  private static List<String> nulSeparated(byte[] bytes) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == 0) {
        out.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
        start = i + 1;
      }
    }
    if (start < bytes.length) {
      out.add(new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8));
    }
    return out;
  }

  /**
   * Bytes under each top-level entry of {@code dataDir} (db, search, ratis, ...), counting a file with
   * several hard links (RocksDB checkpoints) once per entry; files that vanish while walking are skipped.
   */
  static Map<String, Long> dirSizes(Path dataDir) {
    Map<String, Long> sizes = new LinkedHashMap<>();
    if (dataDir == null || !Files.isDirectory(dataDir)) {
      return sizes;
    }
    try (Stream<Path> top = Files.list(dataDir)) {
      for (Path entry : top.sorted().toList()) {
        sizes.put(entry.getFileName().toString(), treeBytes(entry));
      }
    } catch (IOException e) {
      // leave what we have
    }
    return sizes;
  }

  static long treeBytes(Path root) {
    Set<Object> seen = new HashSet<>();
    long[] total = {0};
    try (Stream<Path> files = Files.walk(root)) {
      files.forEach(p -> {
        try {
          BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          if (a.isRegularFile()) {
            Object key = a.fileKey();
            if (key == null || seen.add(key)) {
              total[0] += a.size();
            }
          }
        } catch (IOException e) {
          // vanished (a Lucene merge, a RocksDB compaction)
        }
      });
    } catch (IOException | java.io.UncheckedIOException e) {
      // partial
    }
    return total[0];
  }

  static long fileSize(Path file) {
    try {
      return file == null ? 0 : Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  /** A log line and the byte offset it starts at. */
  record LogLine(long offset, String text) {}

  /** The lines of {@code log} from byte {@code from} on. */
  static List<LogLine> readLog(Path log, long from) {
    List<LogLine> lines = new ArrayList<>();
    if (log == null) {
      return lines;
    }
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
      long length = f.length();
      if (from >= length) {
        return lines;
      }
      byte[] bytes = new byte[(int) Math.min(Integer.MAX_VALUE - 8, length - from)];
      f.seek(from);
      f.readFully(bytes);
      int start = 0;
      for (int i = 0; i < bytes.length; i++) {
        if (bytes[i] == '\n') {
          lines.add(new LogLine(from + start, new String(bytes, start, i - start, StandardCharsets.UTF_8)));
          start = i + 1;
        }
      }
      if (start < bytes.length) {
        lines.add(new LogLine(from + start, new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8)));
      }
    } catch (IOException e) {
      // unreadable
    }
    return lines;
  }
}
