package io.quorumkv.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/** The CLI's exit codes, the same for every command, and their text for the usage help. */
final class ExitCodes {
  static final int OK = 0;
  /** The key or search index is absent, or the answer is false. */
  static final int NOT_FOUND = 1;
  static final int USAGE = 2;
  /** The server refused the request: invalid, too large, not an integer, or an index exists. */
  static final int INVALID_REQUEST = 3;
  /** No member answered in time. */
  static final int UNAVAILABLE = 4;
  static final int OTHER = 5;

  private ExitCodes() {}

  /** Exit code to description, in order, as printed under "Exit codes:" in every command's help. */
  static Map<String, String> descriptions() {
    Map<String, String> codes = new LinkedHashMap<>();
    codes.put(" " + OK, "ok");
    codes.put(" " + NOT_FOUND, "not found / false / no such index");
    codes.put(" " + USAGE, "usage error");
    codes.put(" " + INVALID_REQUEST, "invalid request / not an integer / index exists");
    codes.put(" " + UNAVAILABLE, "unavailable / timeout");
    codes.put(" " + OTHER, "other error");
    return codes;
  }
}
