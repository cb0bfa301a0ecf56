package io.quorumkv.cli;

import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.client.SearchPage;
import io.quorumkv.client.SearchQuery;
import picocli.CommandLine.Mixin;

/** A search command: builds the query before connecting, prints one page of hits. */
abstract class SearchCommandBase extends ClientCommand {
  @Mixin SearchOptions options;

  private SearchQuery query;

  /** The index argument. */
  abstract String index();

  /** Sets the command's own part of the query; throws IllegalArgumentException if it is malformed. */
  abstract void configure(SearchQuery.Builder query);

  @Override
  final void prepare() {
    try {
      SearchQuery.Builder builder = SearchQuery.builder(index());
      configure(builder);
      options.applyTo(builder);
      query = builder.build();
    } catch (IllegalArgumentException e) {
      throw usageError(e.getMessage());
    }
  }

  @Override
  final int run(QuorumKvClient client) {
    SearchPage page = client.search(query);
    SearchOutput.print(query, page, options.values, options.json, out());
    return ExitCodes.OK;
  }
}
