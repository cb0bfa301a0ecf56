package io.quorumkv.cli;

/** Just enough JSON writing for the CLI's --json output: strings, numbers, literals. */
final class Json {
  private Json() {}

  /** {@code s} as a JSON string literal (quoted and escaped); null as {@code null}. */
  static String string(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          out.append("\\\"");
          break;
        case '\\':
          out.append("\\\\");
          break;
        case '\n':
          out.append("\\n");
          break;
        case '\r':
          out.append("\\r");
          break;
        case '\t':
          out.append("\\t");
          break;
        default:
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
      }
    }
    return out.append('"').toString();
  }

  /** A float as a JSON number (shortest form that reads back the same); null if not finite. */
  static String number(float f) {
    return Float.isFinite(f) ? Float.toString(f) : "null";
  }
}
