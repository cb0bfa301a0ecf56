package io.quorumkv.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * CPU time of a process (all its threads, user + system) from Linux's {@code /proc/PID/stat}, in clock
 * ticks; {@link #ticksPerSecond()} comes from {@code getconf CLK_TCK} (100 if that fails).
 */
public final class ProcCpu {
  private static final long DEFAULT_TICKS_PER_SECOND = 100;
  private static volatile long ticksPerSecond;

  private ProcCpu() {}

  /**
   * utime + stime (fields 14 and 15 of proc(5)) of a {@code /proc/PID/stat} line. The command name (field
   * 2) is in parentheses and may itself hold spaces and parentheses, so fields are counted after the last
   * ')'.
   *
   * @throws IllegalArgumentException if the line is not in that format
   */
  static long parseTicks(String statLine) {
    int close = statLine.lastIndexOf(')');
    if (close < 0) {
      throw new IllegalArgumentException("not a /proc/PID/stat line: " + statLine);
    }
    String[] fields = statLine.substring(close + 1).trim().split("\\s+");
    // fields[0] is field 3 (state), so field N is fields[N - 3].
    if (fields.length < 13) {
      throw new IllegalArgumentException("not a /proc/PID/stat line: " + statLine);
    }
    try {
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a /proc/PID/stat line: " + statLine, e);
    }
  }

  /** CPU ticks used so far by process {@code pid} ("self" for this JVM); empty if unreadable or gone. */
  public static OptionalLong ticks(String pid) {
    try {
      return OptionalLong.of(parseTicks(Files.readString(Path.of("/proc", pid, "stat"), StandardCharsets.US_ASCII)));
    } catch (IOException | IllegalArgumentException e) {
      return OptionalLong.empty();
    }
  }

  /** Whether {@code /proc/PID/stat} can be read now. */
  public static boolean readable(String pid) {
    return ticks(pid).isPresent();
  }

  /** Clock ticks per second of the stat counters. */
  public static long ticksPerSecond() {
    long t = ticksPerSecond;
    if (t == 0) {
      t = askGetconf();
      ticksPerSecond = t;
    }
    return t;
  }

  static long parseClkTck(String output) {
    try {
      long t = Long.parseLong(output.trim());
      return t > 0 ? t : DEFAULT_TICKS_PER_SECOND;
    } catch (NumberFormatException e) {
      return DEFAULT_TICKS_PER_SECOND;
    }
  }

  private static long askGetconf() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      byte[] out;
      try (InputStream in = p.getInputStream()) {
        out = in.readAllBytes();
      }
      if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroy();
        return DEFAULT_TICKS_PER_SECOND;
      }
      return parseClkTck(new String(out, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      return DEFAULT_TICKS_PER_SECOND;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return DEFAULT_TICKS_PER_SECOND;
    }
  }
}
