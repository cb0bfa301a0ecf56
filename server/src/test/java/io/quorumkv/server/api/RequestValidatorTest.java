package io.quorumkv.server.api;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.v1.BatchDelete;
import io.quorumkv.proto.v1.BatchOperation;
import io.quorumkv.proto.v1.BatchPut;
import io.quorumkv.proto.v1.BatchRequest;
import io.quorumkv.proto.v1.Value;
import io.quorumkv.proto.v1.WriteId;
import io.quorumkv.server.config.Limits;
import io.quorumkv.server.config.SessionSettings;
import io.quorumkv.server.errors.KvError;
import org.junit.jupiter.api.Test;

class RequestValidatorTest {
  private final Limits limits = new Limits(8, 16, 3, 40, 10, 100, 1000, 1 << 20);
  private final RequestValidator validate = new RequestValidator(limits, SessionSettings.DEFAULTS);

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  @Test
  void keysMustBeNonEmptyAndWithinTheLimit() {
    assertThatThrownBy(() -> validate.key(ByteString.EMPTY)).isInstanceOf(KvError.class).hasMessageContaining("empty");
    assertThatThrownBy(() -> validate.key(b("123456789"))).hasMessageContaining("9 bytes; the limit is 8");
    assertThatCode(() -> validate.key(b("12345678"))).doesNotThrowAnyException();
  }

  @Test
  void valuesMustBeSetAndWithinTheLimitMeasuredInUtf8Bytes() {
    assertThatThrownBy(() -> validate.value(Value.getDefaultInstance())).hasMessageContaining("must be set");
    // 6 characters, 18 UTF-8 bytes.
    assertThatThrownBy(() -> validate.value(Value.newBuilder().setText("€€€€€€").build()))
        .hasMessageContaining("18 bytes");
    assertThatCode(() -> validate.value(Value.newBuilder().setBytes(ByteString.copyFrom(new byte[16])).build()))
        .doesNotThrowAnyException();
  }

  @Test
  void jsonMustBeExactlyOneDocument() {
    for (String ok : new String[] {"{}", "[1,2]", "\"s\"", "3.5", "null", " {\"a\":[true]} "}) {
      assertThatCode(() -> validate.value(Value.newBuilder().setJson(ok).build())).as(ok).doesNotThrowAnyException();
    }
    for (String bad : new String[] {"", "{", "{\"a\":}", "1 2", "{} x", "nope"}) {
      assertThatThrownBy(() -> validate.value(Value.newBuilder().setJson(bad).build())).as(bad)
          .isInstanceOf(KvError.class).hasMessageContaining("json");
    }
  }

  @Test
  void writeIdClientIdIsEmptyOrSixteenBytes() {
    assertThatCode(() -> validate.writeId(WriteId.getDefaultInstance())).doesNotThrowAnyException();
    assertThatCode(() -> validate.writeId(writeId(1, 0))).doesNotThrowAnyException();
    assertThatThrownBy(() -> validate.writeId(WriteId.newBuilder().setClientId(b("short")).setSequence(1).build()))
        .hasMessageContaining("16 bytes");
  }

  private static WriteId writeId(long sequence, long lowestUnanswered) {
    return WriteId.newBuilder().setClientId(ByteString.copyFrom(new byte[16])).setSequence(sequence)
        .setLowestUnanswered(lowestUnanswered).build();
  }

  @Test
  void aClientIdNeedsASequenceAndASequenceNeedsAClientId() {
    assertThatThrownBy(() -> validate.writeId(writeId(0, 0))).hasMessageContaining("sequence must be at least 1");
    assertThatThrownBy(() -> validate.writeId(WriteId.newBuilder().setSequence(3).build()))
        .hasMessageContaining("no client_id");
    assertThatThrownBy(() -> validate.writeId(WriteId.newBuilder().setNewSession(true).build()))
        .hasMessageContaining("no client_id");
  }

  @Test
  void lowestUnansweredStaysWithinTheWindowBelowTheSequence() {
    int window = SessionSettings.DEFAULTS.maxUnansweredWrites();
    assertThatCode(() -> validate.writeId(writeId(window, 1))).doesNotThrowAnyException();
    assertThatThrownBy(() -> validate.writeId(writeId(window + 1, 1))).hasMessageContaining("max-unanswered-writes");
    assertThatThrownBy(() -> validate.writeId(writeId(5, 6))).hasMessageContaining("above its sequence");
    // uint64 on the wire: a "negative" Java long is a huge sequence, not a small one.
    assertThatThrownBy(() -> validate.writeId(writeId(5, -1))).hasMessageContaining("above its sequence");
    assertThatCode(() -> validate.writeId(writeId(-1, -2))).doesNotThrowAnyException();
  }

  @Test
  void batchesAreCheckedWholeAndNameTheBadOperation() {
    BatchOperation put = BatchOperation.newBuilder()
        .setPut(BatchPut.newBuilder().setKey(b("k")).setValue(Value.newBuilder().setText("v"))).build();
    BatchOperation badDelete = BatchOperation.newBuilder().setDelete(BatchDelete.newBuilder()).build();
    assertThatThrownBy(() -> validate.batch(BatchRequest.getDefaultInstance())).hasMessageContaining("at least one");
    assertThatThrownBy(() -> validate.batch(BatchRequest.newBuilder().addOperations(put).addOperations(badDelete).build()))
        .hasMessageContaining("operations[1]").hasMessageContaining("empty");
    assertThatThrownBy(() -> validate.batch(BatchRequest.newBuilder()
        .addOperations(put).addOperations(put).addOperations(put).addOperations(put).build()))
        .hasMessageContaining("4 operations; the limit is 3");
    BatchOperation big = BatchOperation.newBuilder().setPut(BatchPut.newBuilder().setKey(b("12345678"))
        .setValue(Value.newBuilder().setText("1234567890123456"))).build();
    assertThatThrownBy(() -> validate.batch(BatchRequest.newBuilder().addOperations(big).addOperations(big).build()))
        .hasMessageContaining("48 bytes").hasMessageContaining("limit is 40");
    assertThatThrownBy(() -> validate.batch(BatchRequest.newBuilder().addOperations(BatchOperation.getDefaultInstance()).build()))
        .hasMessageContaining("operations[0]: must be a put or a delete");
  }
}
