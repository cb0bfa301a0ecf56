package io.quorumkv.cli;

import io.quorumkv.client.SearchQuery;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "semantic",
    description = {
      "Semantic search of INDEX: the keys closest in meaning to TEXT.",
      "The server embeds TEXT with its sentence-embedding model; the index",
      "needs a semantic field ('index create --semantic').",
      "Prints one page like search (with an empty snippet column), then",
      "'next cursor: C' if more hits follow.",
      "Exits with 1 if the index does not exist."
    })
final class SemanticCommand extends SearchCommandBase {
  @Parameters(index = "0", paramLabel = "INDEX")
  String index;

  @Parameters(index = "1", paramLabel = "TEXT")
  String text;

  @Override
  String index() {
    return index;
  }

  @Override
  void configure(SearchQuery.Builder builder) {
    if (text.isBlank()) {
      throw new IllegalArgumentException("TEXT must not be empty");
    }
    builder.semanticText(text);
  }
}
