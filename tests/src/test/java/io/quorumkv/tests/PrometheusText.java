package io.quorumkv.tests;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4): every line must be a HELP
 * or TYPE comment or a sample {@code name{label="value",...} value}, every sample's family must have
 * been typed before it, and a family is typed once. Throws on anything else.
 */
final class PrometheusText {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern SAMPLE = Pattern.compile(
      "(" + NAME.pattern() + ")(\\{(.*)\\})? (\\S+)( -?\\d+)?");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");
  private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");
  private static final String[] SUFFIXES = {"_total", "_created", "_bucket", "_count", "_sum", "_info"};

  record Sample(String name, Map<String, String> labels, double value) {}

  private PrometheusText() {}

  static List<Sample> parse(String text) {
    Set<String> typed = new HashSet<>();
    List<Sample> samples = new ArrayList<>();
    int lineNo = 0;
    for (String line : text.split("\n")) {
      lineNo++;
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("# HELP ")) {
        continue;
      }
      if (line.startsWith("# TYPE ")) {
        String[] parts = line.split(" ");
        if (parts.length != 4 || !NAME.matcher(parts[2]).matches() || !TYPES.contains(parts[3])
            || !typed.add(parts[2])) {
          throw new IllegalArgumentException("line " + lineNo + ": bad or repeated TYPE: " + line);
        }
        continue;
      }
      if (line.startsWith("#")) {
        throw new IllegalArgumentException("line " + lineNo + ": unknown comment: " + line);
      }
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches()) {
        throw new IllegalArgumentException("line " + lineNo + ": not a sample: " + line);
      }
      String name = m.group(1);
      if (!typed.contains(family(name, typed))) {
        throw new IllegalArgumentException("line " + lineNo + ": sample of an untyped family: " + line);
      }
      samples.add(new Sample(name, labels(m.group(3), lineNo), value(m.group(4), lineNo)));
    }
    return samples;
  }

  private static String family(String name, Set<String> typed) {
    if (typed.contains(name)) {
      return name;
    }
    for (String suffix : SUFFIXES) {
      if (name.endsWith(suffix) && typed.contains(name.substring(0, name.length() - suffix.length()))) {
        return name.substring(0, name.length() - suffix.length());
      }
    }
    return name;
  }

  private static Map<String, String> labels(String text, int lineNo) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (text == null || text.isEmpty()) {
      return labels;
    }
    Matcher m = LABEL.matcher(text);
    int end = 0;
    while (m.find() && m.start() == end) {
      labels.put(m.group(1), m.group(2));
      end = m.end();
    }
    if (end != text.length()) {
      throw new IllegalArgumentException("line " + lineNo + ": bad labels: {" + text + "}");
    }
    return labels;
  }

  private static double value(String text, int lineNo) {
    return switch (text) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> {
        try {
          yield Double.parseDouble(text);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("line " + lineNo + ": bad value " + text);
        }
      }
    };
  }
}
