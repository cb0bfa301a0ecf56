package io.quorumkv.cli;

import io.quorumkv.client.Entry;
import io.quorumkv.client.SearchHit;
import io.quorumkv.client.SearchPage;
import io.quorumkv.client.SearchQuery;
import io.quorumkv.client.Values;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * Prints a page of search hits: one tab-separated line per hit (rank, score, key, snippet, and the value
 * with --values), then {@code next cursor: C} if more hits follow; or, with --json, one JSON object.
 */
final class SearchOutput {
  static final String NEXT_CURSOR = "next cursor: ";

  private SearchOutput() {}

  static void print(SearchQuery query, SearchPage page, boolean values, boolean json, PrintWriter out) {
    if (json) {
      out.println(toJson(query, page, values));
      return;
    }
    List<SearchHit> hits = page.hits();
    for (int i = 0; i < hits.size(); i++) {
      SearchHit hit = hits.get(i);
      StringBuilder line =
          new StringBuilder()
              .append(i + 1)
              .append('\t')
              .append(String.format(Locale.ROOT, "%.4f", hit.score()))
              .append('\t')
              .append(oneLine(Values.renderBytes(hit.key())))
              .append('\t')
              .append(oneLine(hit.snippet()));
      if (values) {
        line.append('\t').append(hit.entry().map(e -> oneLine(e.renderedValue())).orElse(""));
      }
      out.println(line);
    }
    if (page.hasNextPage()) {
      out.println(NEXT_CURSOR + SearchArgs.cursor(page.nextCursor()));
    }
  }

  /** Keeps a hit on one line: tabs and line breaks become spaces (JSON values keep their meaning). */
  private static String oneLine(String s) {
    return s.replaceAll("[\\t\\r\\n\\u2028\\u2029]", " ");
  }

  private static String toJson(SearchQuery query, SearchPage page, boolean values) {
    StringBuilder json = new StringBuilder("{\n");
    json.append("  \"index\": ").append(Json.string(query.index())).append(",\n");
    json.append("  \"kind\": ").append(Json.string(query.kind().name())).append(",\n");
    json.append("  \"applied_index\": ").append(page.appliedIndex()).append(",\n");
    page.totalHits().ifPresent(total -> json.append("  \"total_hits\": ").append(total).append(",\n"));
    json.append("  \"next_cursor\": ")
        .append(Json.string(page.hasNextPage() ? SearchArgs.cursor(page.nextCursor()) : ""))
        .append(",\n");
    json.append("  \"hits\": [");
    List<SearchHit> hits = page.hits();
    for (int i = 0; i < hits.size(); i++) {
      SearchHit hit = hits.get(i);
      json.append(i == 0 ? "\n" : ",\n")
          .append("    {\"rank\": ")
          .append(i + 1)
          .append(", \"key\": ")
          .append(Json.string(Values.renderBytes(hit.key())))
          .append(", \"score\": ")
          .append(Json.number(hit.score()))
          .append(", \"snippet\": ")
          .append(Json.string(hit.snippet()));
      if (values) {
        json.append(", \"value\": ");
        if (hit.entry().isPresent()) {
          Entry e = hit.entry().get();
          json.append(Json.string(e.renderedValue()))
              .append(", \"value_kind\": ")
              .append(Json.string(e.value().getKindCase().name().toLowerCase(Locale.ROOT)))
              .append(", \"create_index\": ")
              .append(e.createIndex())
              .append(", \"mod_index\": ")
              .append(e.modIndex())
              .append(", \"version\": ")
              .append(e.version());
        } else {
          json.append("null");
        }
      }
      json.append('}');
    }
    json.append(hits.isEmpty() ? "]\n" : "\n  ]\n");
    return json.append('}').toString();
  }
}
