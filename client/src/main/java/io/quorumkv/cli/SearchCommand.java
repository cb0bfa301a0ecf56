package io.quorumkv.cli;

import io.quorumkv.client.SearchQuery;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "search",
    description = {
      "Full-text search of INDEX (BM25), or a filter-only listing.",
      "QUERY is Lucene classic syntax over the index's text fields: terms are",
      "ANDed; OR, NOT, \"a phrase\", prefix*, field:term, (...). Put -- before a",
      "QUERY that starts with '-'. Without QUERY: every key the --filter and",
      "--range options accept, in key order.",
      "Prints one page: 'rank<TAB>score<TAB>key<TAB>snippet' lines (matched",
      "terms in <b>...</b>; <TAB>value with --values; tabs and line breaks as",
      "spaces), then 'next cursor: C' if more hits follow: pass --cursor C.",
      "Exits with 1 if the index does not exist."
    })
final class SearchCommand extends SearchCommandBase {
  @Parameters(index = "0", paramLabel = "INDEX")
  String index;

  @Parameters(index = "1", paramLabel = "QUERY", arity = "0..1", description = "Optional with filters.")
  String query;

  @Override
  String index() {
    return index;
  }

  @Override
  void configure(SearchQuery.Builder builder) {
    if ((query == null || query.isEmpty()) && !options.hasFilters()) {
      throw new IllegalArgumentException("give a QUERY, or at least one --filter or --range");
    }
    if (query != null) {
      builder.query(query);
    }
  }
}
