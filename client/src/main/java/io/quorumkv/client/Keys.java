package io.quorumkv.client;

import com.google.protobuf.ByteString;
import java.util.Objects;

/** Conversions of the API's String keys, which are sent as UTF-8. */
final class Keys {
  private Keys() {}

  static ByteString utf8(String key) {
    return ByteString.copyFromUtf8(Objects.requireNonNull(key, "key"));
  }

  static ByteString bytes(ByteString key) {
    return Objects.requireNonNull(key, "key");
  }
}
