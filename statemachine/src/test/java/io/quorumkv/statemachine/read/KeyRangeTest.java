package io.quorumkv.statemachine.read;

import static io.quorumkv.statemachine.TestCommands.bytes;
import static io.quorumkv.statemachine.TestCommands.key;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

class KeyRangeTest {

  @Test
  void prefixEndIncrementsTheLastByte() {
    assertThat(KeyRange.prefix(key("abc"))).isEqualTo(new KeyRange(key("abc"), key("abd")));
  }

  @Test
  void prefixEndSkipsTrailingFfBytes() {
    assertThat(KeyRange.prefix(bytes(0x01, 0xFF, 0xFF)).endExclusive()).isEqualTo(bytes(0x02));
    assertThat(KeyRange.prefix(bytes(0x7F)).endExclusive()).isEqualTo(bytes(0x80));
    assertThat(KeyRange.prefix(bytes(0xFE, 0xFF)).endExclusive()).isEqualTo(bytes(0xFF));
  }

  @Test
  void allFfOrEmptyPrefixIsUnbounded() {
    assertThat(KeyRange.prefix(bytes(0xFF, 0xFF)).endExclusive()).isEqualTo(ByteString.EMPTY);
    assertThat(KeyRange.prefix(ByteString.EMPTY)).isEqualTo(KeyRange.ALL);
  }

  @Test
  void isBeforeEndComparesUnsigned() {
    KeyRange range = new KeyRange(ByteString.EMPTY, bytes(0x80));
    assertThat(range.isBeforeEnd(bytes(0x7F, 0xFF))).isTrue();
    assertThat(range.isBeforeEnd(bytes(0x80))).isFalse();
    assertThat(range.isBeforeEnd(bytes(0xFF))).isFalse();
    assertThat(KeyRange.ALL.isBeforeEnd(bytes(0xFF, 0xFF))).isTrue();
  }
}
