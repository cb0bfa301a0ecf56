package io.quorumkv.cli;

import io.quorumkv.client.SearchQuery;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "vector",
    description = {
      "Vector search of INDEX: the keys whose vector is nearest to VECTOR.",
      "VECTOR must have the dimension of the index's vector field.",
      "Prints one page like search (with an empty snippet column), then",
      "'next cursor: C' if more hits follow.",
      "Exits with 1 if the index does not exist."
    })
final class VectorCommand extends SearchCommandBase {
  @Parameters(index = "0", paramLabel = "INDEX")
  String index;

  @Parameters(index = "1", paramLabel = "VECTOR", description = "Comma-separated numbers: 0.1,-0.2,0.3")
  String vector;

  @Override
  String index() {
    return index;
  }

  @Override
  void configure(SearchQuery.Builder builder) {
    builder.vector(SearchArgs.vector(vector));
  }
}
