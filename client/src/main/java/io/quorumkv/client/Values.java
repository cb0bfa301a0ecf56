package io.quorumkv.client;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.v1.Value;
import java.util.Base64;
import java.util.Objects;

/** Builds {@link Value}s and renders them for display. */
public final class Values {
  /** Prefix of {@link #render} output for bytes that are not valid UTF-8. */
  public static final String BASE64_PREFIX = "base64:";

  private Values() {}

  /** A UTF-8 text value. Increment treats text holding a base-10 integer as a number. */
  public static Value text(String text) {
    return Value.newBuilder().setText(Objects.requireNonNull(text, "text")).build();
  }

  /** An opaque bytes value (the array is copied). */
  public static Value bytes(byte[] bytes) {
    return bytes(ByteString.copyFrom(Objects.requireNonNull(bytes, "bytes")));
  }

  /** An opaque bytes value. */
  public static Value bytes(ByteString bytes) {
    return Value.newBuilder().setBytes(Objects.requireNonNull(bytes, "bytes")).build();
  }

  /** A JSON document, sent as is; the server rejects invalid JSON with {@link InvalidRequestException}. */
  public static Value json(String json) {
    return Value.newBuilder().setJson(Objects.requireNonNull(json, "json")).build();
  }

  /**
   * Renders a value for humans: text and JSON as they are, bytes as UTF-8 text when they are valid UTF-8,
   * else as {@value #BASE64_PREFIX} followed by their base64 encoding. A value with no kind set (e.g. from
   * a keys-only scan) renders as the empty string.
   */
  public static String render(Value value) {
    switch (value.getKindCase()) {
      case TEXT:
        return value.getText();
      case JSON:
        return value.getJson();
      case BYTES:
        return renderBytes(value.getBytes());
      default:
        return "";
    }
  }

  /** Renders bytes (e.g. a key) as UTF-8 text if valid, else as {@value #BASE64_PREFIX} + base64. */
  public static String renderBytes(ByteString bytes) {
    return bytes.isValidUtf8()
        ? bytes.toStringUtf8()
        : BASE64_PREFIX + Base64.getEncoder().encodeToString(bytes.toByteArray());
  }
}
