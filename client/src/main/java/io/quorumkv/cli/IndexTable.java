package io.quorumkv.cli;

import io.quorumkv.client.IndexSpec;
import io.quorumkv.client.IndexStatus;
import io.quorumkv.client.Values;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Renders search index statuses as a text table (a summary line, then one row per index) or as JSON.
 */
final class IndexTable {
  private static final String[] HEADINGS = {"NAME", "PREFIX", "STATE", "DOCUMENTS", "FIELDS", "NOTE"};
  /** How the text value (Value.text) appears among the fields. */
  static final String TEXT_VALUE = "(value)";

  private IndexTable() {}

  static void print(List<IndexStatus> indexes, PrintWriter out) {
    if (indexes.isEmpty()) {
      out.println("no indexes");
      return;
    }
    IndexStatus first = indexes.get(0);
    out.printf("%d index(es) on member %s, applied index %d%n", indexes.size(), first.member(), first.appliedIndex());
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADINGS);
    for (IndexStatus index : indexes) {
      rows.add(row(index));
    }
    int[] widths = new int[HEADINGS.length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(i == row.length - 1 ? row[i] : String.format("%-" + (widths[i] + 2) + "s", row[i]));
      }
      out.println(line.toString().stripTrailing());
    }
  }

  private static String[] row(IndexStatus index) {
    return new String[] {
      index.name(),
      prefix(index.spec()),
      index.state().name().toLowerCase(Locale.ROOT),
      Long.toString(index.documents()),
      fields(index.spec()),
      note(index)
    };
  }

  private static String prefix(IndexSpec spec) {
    return spec.keyPrefix().isEmpty() ? "(all keys)" : Values.renderBytes(spec.keyPrefix());
  }

  /**
   * The indexed fields, e.g. {@code text(english):(value),title keyword:genre numeric:year
   * vector:emb[384,cosine] semantic:summary}; "-" if none.
   */
  static String fields(IndexSpec spec) {
    List<String> parts = new ArrayList<>();
    List<String> text = new ArrayList<>();
    if (spec.textValues()) {
      text.add(TEXT_VALUE);
    }
    text.addAll(spec.textFields());
    if (!text.isEmpty()) {
      String analyzer = spec.analyzer() == IndexSpec.Analyzer.STANDARD ? "" : "(" + lower(spec.analyzer()) + ")";
      parts.add("text" + analyzer + ":" + String.join(",", text));
    }
    if (!spec.keywordFields().isEmpty()) {
      parts.add("keyword:" + String.join(",", spec.keywordFields()));
    }
    if (!spec.numericFields().isEmpty()) {
      parts.add("numeric:" + String.join(",", spec.numericFields()));
    }
    spec.vector()
        .ifPresent(v -> parts.add("vector:" + v.field() + "[" + v.dimension() + "," + metric(v.metric()) + "]"));
    spec.semantic()
        .ifPresent(s -> parts.add("semantic:" + (s.embedsTextValue() ? TEXT_VALUE : s.field())));
    return parts.isEmpty() ? "-" : String.join(" ", parts);
  }

  private static String note(IndexStatus index) {
    List<String> notes = new ArrayList<>();
    if (index.state() == IndexStatus.State.BUILDING) {
      notes.add("visited " + index.buildVisited() + " keys, indexed " + index.buildIndexed());
    }
    if (index.indexLag() > 0) {
      notes.add("indexing " + index.indexLag() + " log entries behind");
    }
    if (index.merging()) {
      notes.add("merging " + index.segments() + " segments into one");
    }
    index.failure().ifPresent(f -> notes.add("failed: " + f));
    if (index.pendingEmbeddings() > 0) {
      notes.add(index.pendingEmbeddings() + " pending embeddings");
    }
    if (index.skippedVectors() > 0) {
      notes.add(index.skippedVectors() + " without a vector");
    }
    return String.join(", ", notes);
  }

  private static String metric(IndexSpec.VectorMetric metric) {
    return metric == IndexSpec.VectorMetric.DOT_PRODUCT ? "dot" : lower(metric);
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  /** One JSON object per index, in an array; field names follow search.proto. */
  static String toJson(List<IndexStatus> indexes) {
    if (indexes.isEmpty()) {
      return "[]";
    }
    return indexes.stream().map(IndexTable::toJson).collect(Collectors.joining(",\n", "[\n", "\n]"));
  }

  private static String toJson(IndexStatus index) {
    IndexSpec spec = index.spec();
    StringBuilder json = new StringBuilder("  {");
    json.append("\"name\": ").append(Json.string(index.name()));
    json.append(", \"state\": ").append(Json.string(index.state().name()));
    json.append(", \"documents\": ").append(index.documents());
    json.append(", \"segments\": ").append(index.segments());
    json.append(", \"merging\": ").append(index.merging());
    json.append(", \"build_visited\": ").append(index.buildVisited());
    json.append(", \"build_indexed\": ").append(index.buildIndexed());
    json.append(", \"skipped_vectors\": ").append(index.skippedVectors());
    json.append(", \"pending_embeddings\": ").append(index.pendingEmbeddings());
    json.append(", \"failure\": ").append(Json.string(index.failure().orElse("")));
    json.append(", \"create_index\": ").append(index.createIndex());
    json.append(", \"member\": ").append(Json.string(index.member()));
    json.append(", \"applied_index\": ").append(index.appliedIndex());
    json.append(", \"index_position\": ").append(index.indexPosition());
    json.append(",\n   \"spec\": {\"key_prefix\": ").append(Json.string(Values.renderBytes(spec.keyPrefix())));
    json.append(", \"text\": ").append(spec.textValues());
    json.append(", \"text_fields\": ").append(strings(spec.textFields()));
    json.append(", \"analyzer\": ").append(Json.string(spec.analyzer().name()));
    json.append(", \"keyword_fields\": ").append(strings(spec.keywordFields()));
    json.append(", \"numeric_fields\": ").append(strings(spec.numericFields()));
    json.append(", \"vector\": ")
        .append(
            spec.vector()
                .map(v -> "{\"field\": " + Json.string(v.field()) + ", \"dimension\": " + v.dimension()
                    + ", \"metric\": " + Json.string(v.metric().name()) + "}")
                .orElse("null"));
    json.append(", \"semantic\": ")
        .append(spec.semantic().map(s -> "{\"field\": " + Json.string(s.field()) + "}").orElse("null"));
    return json.append("}}").toString();
  }

  private static String strings(List<String> list) {
    return list.stream().map(Json::string).collect(Collectors.joining(", ", "[", "]"));
  }
}
