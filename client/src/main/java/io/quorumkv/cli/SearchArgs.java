package io.quorumkv.cli;

import com.google.protobuf.ByteString;
import io.quorumkv.client.SearchFilter;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Parses the text forms of search arguments. Every method throws IllegalArgumentException with a message
 * fit for a usage error.
 */
final class SearchArgs {
  /** A decimal number as people write it: no hex, no NaN/Infinity, no Java suffixes such as "1f". */
  private static final Pattern NUMBER =
      Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

  private SearchArgs() {}

  /** {@code 0.1,0.2,-0.3}: comma-separated numbers (spaces allowed), at least one. */
  static float[] vector(String text) {
    String[] parts = text.split(",", -1);
    float[] vector = new float[parts.length];
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i].trim();
      if (!NUMBER.matcher(part).matches()) {
        throw new IllegalArgumentException(
            "bad vector '" + text + "': element " + (i + 1) + " ('" + part + "') is not a number;"
                + " expected comma-separated numbers like 0.1,0.2,-0.3");
      }
      float value = Float.parseFloat(part);
      if (!Float.isFinite(value)) {
        throw new IllegalArgumentException(
            "bad vector '" + text + "': element " + (i + 1) + " (" + part + ") is too large for a float");
      }
      vector[i] = value;
    }
    return vector;
  }

  /** {@code FIELD=VALUE}: a keyword field equal to VALUE (everything after the first '=', may be empty). */
  static SearchFilter filter(String text) {
    int eq = text.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException("bad --filter '" + text + "': expected FIELD=VALUE");
    }
    return SearchFilter.equalTo(text.substring(0, eq), text.substring(eq + 1));
  }

  /**
   * {@code FIELD=MIN..MAX}, bounds inclusive; either bound may be left out for an open range ({@code
   * year=2000..}, {@code price=..9.99}), not both.
   */
  static SearchFilter range(String text) {
    int eq = text.indexOf('=');
    String usage = "expected FIELD=MIN..MAX, FIELD=MIN.. or FIELD=..MAX (bounds inclusive)";
    if (eq <= 0) {
      throw new IllegalArgumentException("bad --range '" + text + "': " + usage);
    }
    String field = text.substring(0, eq);
    String bounds = text.substring(eq + 1);
    int dots = bounds.indexOf("..");
    if (dots < 0) {
      throw new IllegalArgumentException("bad --range '" + text + "': no '..' between the bounds; " + usage);
    }
    Double min = bound(text, bounds.substring(0, dots).trim(), usage);
    Double max = bound(text, bounds.substring(dots + 2).trim(), usage);
    if (min == null && max == null) {
      throw new IllegalArgumentException("bad --range '" + text + "': give a MIN, a MAX or both");
    }
    if (min != null && max != null && min > max) {
      throw new IllegalArgumentException("bad --range '" + text + "': MIN is above MAX");
    }
    if (min == null) {
      return SearchFilter.atMost(field, max);
    }
    return max == null ? SearchFilter.atLeast(field, min) : SearchFilter.range(field, min, max);
  }

  private static Double bound(String text, String bound, String usage) {
    if (bound.isEmpty()) {
      return null;
    }
    if (!NUMBER.matcher(bound).matches()) {
      throw new IllegalArgumentException("bad --range '" + text + "': '" + bound + "' is not a number; " + usage);
    }
    double value = Double.parseDouble(bound);
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException("bad --range '" + text + "': '" + bound + "' is too large");
    }
    return value;
  }

  /** A cursor as printed by {@link #cursor(ByteString)}; standard base64 is accepted too. */
  static ByteString cursor(String text) {
    try {
      String urlSafe = text.trim().replace('+', '-').replace('/', '_');
      return ByteString.copyFrom(Base64.getUrlDecoder().decode(urlSafe));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad --cursor: not a cursor printed by quorumkv (" + e.getMessage() + ")");
    }
  }

  /** A cursor as the CLI prints it: URL-safe base64 without padding, so it needs no quoting in a shell. */
  static String cursor(ByteString cursor) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(cursor.toByteArray());
  }
}
