package io.quorumkv.cli;

import io.quorumkv.client.SearchQuery;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "hybrid",
    description = {
      "Hybrid search of INDEX: full text fused with semantic or vector search.",
      "The full-text ranking of QUERY and the ranking of --semantic TEXT (or",
      "--vector V) are fused by reciprocal rank fusion: a hit ranked r in a",
      "ranking scores 1 / (K + r) from it.",
      "Prints one page like search, then 'next cursor: C' if more hits follow.",
      "Exits with 1 if the index does not exist."
    })
final class HybridCommand extends SearchCommandBase {
  @Parameters(index = "0", paramLabel = "INDEX")
  String index;

  @Parameters(index = "1", paramLabel = "QUERY", description = "Full-text query, as for search.")
  String query;

  @Option(names = "--semantic", paramLabel = "TEXT", description = "Fuse with the semantic search of TEXT.")
  String semantic;

  @Option(
      names = "--vector",
      paramLabel = "V",
      description = "Fuse with the vector search of V (comma-separated numbers; --vector=-0.1,... works too).")
  String vector;

  @Option(names = "--rrf-k", paramLabel = "K", description = "The fusion constant K (default: the server's, 60).")
  int rrfK;

  @Override
  String index() {
    return index;
  }

  @Override
  void configure(SearchQuery.Builder builder) {
    if ((semantic == null) == (vector == null)) {
      throw new IllegalArgumentException("give either --semantic TEXT or --vector V");
    }
    if (query.isBlank()) {
      throw new IllegalArgumentException("QUERY must not be empty");
    }
    if (rrfK < 0) {
      throw new IllegalArgumentException("--rrf-k must not be negative");
    }
    builder.query(query).rrfK(rrfK);
    if (semantic != null) {
      if (semantic.isBlank()) {
        throw new IllegalArgumentException("--semantic TEXT must not be empty");
      }
      builder.semanticText(semantic);
    } else {
      builder.vector(SearchArgs.vector(vector));
    }
  }
}
