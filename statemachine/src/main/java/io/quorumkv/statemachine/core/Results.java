package io.quorumkv.statemachine.core;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.CommandResult;
import io.quorumkv.proto.internal.Failure;

/** Building blocks of failure results. */
final class Results {

  /** Longest key prefix quoted in a message; keys may be up to 4 KiB. */
  private static final int MAX_KEY_BYTES_SHOWN = 64;
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Results() {}

  static CommandResult failure(Failure.Code code, String message) {
    return CommandResult.newBuilder()
        .setFailure(Failure.newBuilder().setCode(code).setMessage(message))
        .build();
  }

  /**
   * A key as a human can read it in a message: quoted if it is printable ASCII, else {@code 0x}-hex;
   * long keys are cut with "...".
   */
  static String printableKey(ByteString key) {
    ByteString shown = key.substring(0, Math.min(key.size(), MAX_KEY_BYTES_SHOWN));
    String cut = shown.size() < key.size() ? "..." : "";
    boolean printable = true;
    for (int i = 0; i < shown.size() && printable; i++) {
      int b = shown.byteAt(i) & 0xFF;
      printable = b >= 0x20 && b < 0x7F;
    }
    if (printable) {
      return "'" + shown.toStringUtf8() + cut + "'";
    }
    StringBuilder hex = new StringBuilder("0x");
    for (int i = 0; i < shown.size(); i++) {
      int b = shown.byteAt(i) & 0xFF;
      hex.append(HEX[b >>> 4]).append(HEX[b & 0xF]);
    }
    return hex.append(cut).toString();
  }
}
