package io.quorumkv.cli;

import io.quorumkv.client.SearchQuery;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The filter, paging, output and consistency options every search command takes. */
final class SearchOptions {
  @Option(
      names = "--filter",
      paramLabel = "FIELD=VALUE",
      description = "Only keys whose keyword field FIELD has VALUE. Repeatable; all must hold.")
  List<String> filters = new ArrayList<>();

  @Option(
      names = "--range",
      paramLabel = "FIELD=MIN..MAX",
      description = "Only keys whose numeric field FIELD lies in [MIN, MAX]; leave out MIN or MAX for an"
          + " open range (year=2000.., price=..9.99). Repeatable; all must hold.")
  List<String> ranges = new ArrayList<>();

  @Option(names = "--top-k", paramLabel = "N", description = "Hits per page (default: the server's, 10).")
  int topK;

  @Option(names = "--values", description = "Also print each hit's value.")
  boolean values;

  @Option(
      names = "--cursor",
      paramLabel = "CURSOR",
      description = "Print the page at CURSOR: the 'next cursor' of the previous page, with the same"
          + " other arguments.")
  String cursor;

  @Option(names = "--json", description = "Print JSON for scripts.")
  boolean json;

  @Mixin ReadConsistency consistency;

  /** Adds these options to a query; IllegalArgumentException if one is malformed. */
  void applyTo(SearchQuery.Builder query) {
    if (topK < 0) {
      throw new IllegalArgumentException("--top-k must not be negative");
    }
    filters.forEach(f -> query.filter(SearchArgs.filter(f)));
    ranges.forEach(r -> query.filter(SearchArgs.range(r)));
    query.topK(topK).includeValues(values).read(consistency.readOptions());
    if (cursor != null) {
      query.cursor(SearchArgs.cursor(cursor));
    }
  }

  boolean hasFilters() {
    return !filters.isEmpty() || !ranges.isEmpty();
  }
}
