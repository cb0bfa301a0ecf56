package io.quorumkv.cli;

import io.quorumkv.client.CreateIndexResult;
import io.quorumkv.client.IndexSpec;
import io.quorumkv.client.QuorumKvClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "create",
    sortOptions = false,
    description = {
      "Defines search index NAME over the keys starting with --prefix.",
      "Every member builds it over the existing keys in the background ('index",
      "list' shows progress; searches wait for it until --timeout). FIELDs are",
      "JSON paths into JSON values (title, author.name); the field options are",
      "repeatable and take comma-separated lists.",
      "Prints 'created' and the log index, or 'exists with an equal spec'.",
      "Exits with 3 if an index NAME exists with another spec."
    })
final class IndexCreateCommand extends ClientCommand {
  @Parameters(index = "0", paramLabel = "NAME", description = "1..64 of a-z 0-9 _ . -, starting with a letter or digit.")
  String name;

  @Option(names = "--prefix", paramLabel = "P", required = true,
      description = "Index the keys starting with P ('' for every key).")
  String prefix;

  @Option(names = "--text", description = "Index text values as full text (in the field named 'text').")
  boolean text;

  @Option(names = "--text-field", paramLabel = "F", split = ",", description = "Index JSON string field F as full text.")
  List<String> textFields = new ArrayList<>();

  @Option(names = "--analyzer", paramLabel = "A",
      description = "Full-text analysis: standard (default; lower case, no stemming) or english (stop words,"
          + " stemming).")
  String analyzer;

  @Option(names = "--keyword-field", paramLabel = "F", split = ",",
      description = "Index JSON field F as exact keywords, for --filter F=VALUE.")
  List<String> keywordFields = new ArrayList<>();

  @Option(names = "--numeric-field", paramLabel = "F", split = ",",
      description = "Index JSON number field F, for --range F=MIN..MAX.")
  List<String> numericFields = new ArrayList<>();

  @Option(names = "--vector-field", paramLabel = "F",
      description = "Index the vector (array of numbers) in JSON field F, for vector search; needs --dimension.")
  String vectorField;

  @Option(names = "--dimension", paramLabel = "N", description = "The vectors' dimension, 1..1024.")
  Integer dimension;

  @Option(names = "--metric", paramLabel = "M", description = "Vector comparison: cosine (default), dot or l2.")
  String metric;

  @Option(names = "--semantic",
      description = "Embed text for semantic search: the text value, or --semantic-field.")
  boolean semantic;

  @Option(names = "--semantic-field", paramLabel = "F",
      description = "Embed JSON string field F instead of the text value (implies --semantic).")
  String semanticField;

  private IndexSpec indexSpec;

  @Override
  void prepare() {
    IndexSpec.Builder builder;
    try {
      builder =
          IndexSpec.builder(name)
              .keyPrefix(prefix)
              .textValues(text)
              .textFields(textFields)
              .keywordFields(keywordFields)
              .numericFields(numericFields);
    } catch (IllegalArgumentException e) {
      throw usageError(e.getMessage());
    }
    if (analyzer != null) {
      builder.analyzer(analyzer());
    }
    if (vectorField != null || dimension != null || metric != null) {
      if (vectorField == null || dimension == null) {
        throw usageError("a vector field needs both --vector-field and --dimension");
      }
      if (dimension < 1) {
        throw usageError("--dimension must be at least 1");
      }
      if (vectorField.isEmpty()) {
        throw usageError("--vector-field must not be empty");
      }
      builder.vector(vectorField, dimension, metric());
    }
    if (semanticField != null) {
      if (semanticField.isEmpty()) {
        throw usageError("--semantic-field must not be empty (leave it out to embed the text value)");
      }
      builder.semantic(IndexSpec.SemanticField.of(semanticField));
    } else if (semantic) {
      builder.semantic(IndexSpec.SemanticField.textValue());
    }
    indexSpec = builder.build();
    if (!indexSpec.textValues()
        && indexSpec.textFields().isEmpty()
        && indexSpec.keywordFields().isEmpty()
        && indexSpec.numericFields().isEmpty()
        && indexSpec.vector().isEmpty()
        && indexSpec.semantic().isEmpty()) {
      throw usageError(
          "nothing to index: give --text, --text-field, --keyword-field, --numeric-field, --vector-field"
              + " or --semantic");
    }
  }

  private IndexSpec.Analyzer analyzer() {
    switch (analyzer.toLowerCase(Locale.ROOT)) {
      case "standard":
        return IndexSpec.Analyzer.STANDARD;
      case "english":
        return IndexSpec.Analyzer.ENGLISH;
      default:
        throw usageError("--analyzer must be standard or english, not '" + analyzer + "'");
    }
  }

  private IndexSpec.VectorMetric metric() {
    if (metric == null) {
      return IndexSpec.VectorMetric.COSINE;
    }
    switch (metric.toLowerCase(Locale.ROOT)) {
      case "cosine":
        return IndexSpec.VectorMetric.COSINE;
      case "dot":
      case "dot_product":
        return IndexSpec.VectorMetric.DOT_PRODUCT;
      case "l2":
        return IndexSpec.VectorMetric.L2;
      default:
        throw usageError("--metric must be cosine, dot or l2, not '" + metric + "'");
    }
  }

  @Override
  int run(QuorumKvClient client) {
    CreateIndexResult result = client.createIndex(indexSpec);
    out().printf(
        "%s (log index %d)%n",
        result.created() ? "created" : "exists with an equal spec", result.index());
    return ExitCodes.OK;
  }
}
