package io.quorumkv.statemachine.search;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Values at a dot path of a JSON document ("author.name"): the node there, or each element if it is an
 * array. Missing members give nothing.
 */
final class JsonPaths {

  private JsonPaths() {}

  static List<JsonNode> valuesAt(JsonNode document, String path) {
    JsonNode node = document;
    for (String member : path.split("\\.", -1)) {
      if (node == null || !node.isObject()) {
        return List.of();
      }
      node = node.get(member);
    }
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      return List.of(node);
    }
    List<JsonNode> elements = new ArrayList<>(node.size());
    node.forEach(elements::add);
    return elements;
  }

  /** The node at {@code path} itself (an array stays an array), or null. */
  static JsonNode nodeAt(JsonNode document, String path) {
    JsonNode node = document;
    for (String member : path.split("\\.", -1)) {
      if (node == null || !node.isObject()) {
        return null;
      }
      node = node.get(member);
    }
    return node;
  }
}
