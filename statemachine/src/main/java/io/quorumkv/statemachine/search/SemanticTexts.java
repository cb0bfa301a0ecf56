package io.quorumkv.statemachine.search;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.IndexDefinition;
import io.quorumkv.proto.v1.Value;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the leader embeds for a write: per embedded source ("" for the text value, else a JSON path), the
 * text of the value that the semantic indexes covering the key index. Sources shared by several indexes
 * are embedded once. The model is {@link #MODEL}, of {@link #DIMENSION} dimensions.
 */
public final class SemanticTexts {

  /** The embedding model semantic indexes use (embeddings of another model are ignored). */
  public static final String MODEL = IndexSchema.SEMANTIC_MODEL;
  public static final int DIMENSION = IndexSchema.SEMANTIC_DIMENSION;

  private SemanticTexts() {}

  /** Source → text to embed for {@code key = value}; empty when no semantic index covers it. */
  public static Map<String, String> toEmbed(Collection<IndexDefinition> definitions, ByteString key, Value value) {
    Map<String, String> texts = new LinkedHashMap<>();
    for (IndexDefinition definition : definitions) {
      if (definition.getSpec().hasSemantic() && key.startsWith(definition.getSpec().getKeyPrefix())) {
        String source = definition.getSpec().getSemantic().getField();
        if (!texts.containsKey(source)) {
          IndexSchema.semanticSource(definition.getSpec(), value).ifPresent(text -> texts.put(source, text));
        }
      }
    }
    return texts;
  }

  /** Whether any definition is a semantic index (so writes may need embedding at all). */
  public static boolean anySemantic(Collection<IndexDefinition> definitions) {
    return definitions.stream().anyMatch(d -> d.getSpec().hasSemantic());
  }
}
