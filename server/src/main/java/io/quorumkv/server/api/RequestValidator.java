package io.quorumkv.server.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.google.protobuf.ByteString;
import io.quorumkv.proto.v1.BatchOperation;
import io.quorumkv.proto.v1.BatchRequest;
import io.quorumkv.proto.v1.Value;
import io.quorumkv.proto.v1.WriteId;
import io.quorumkv.proto.v1.WritesRequest;
import io.quorumkv.server.config.Limits;
import io.quorumkv.server.config.SessionSettings;
import io.quorumkv.server.errors.KvError;
import java.io.IOException;

/**
 * Checks requests against the {@link Limits} and the value rules before anything is replicated. Every
 * method throws a {@link KvError} with code INVALID_REQUEST and a message that names the problem.
 */
final class RequestValidator {
  private static final int CLIENT_ID_BYTES = 16;
  private final Limits limits;
  private final SessionSettings sessions;
  private final JsonFactory json;

  RequestValidator(Limits limits, SessionSettings sessions) {
    this.limits = limits;
    this.sessions = sessions;
    this.json = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(512).build())
        .build();
  }

  void key(ByteString key) {
    key("key", key);
  }

  void key(String field, ByteString key) {
    if (key.isEmpty()) {
      throw KvError.invalid(field + " must not be empty");
    }
    if (key.size() > limits.maxKeyBytes()) {
      throw KvError.invalid(field + " is " + key.size() + " bytes; the limit is " + limits.maxKeyBytes());
    }
  }

  /** Checks a value and returns its size in bytes. */
  int value(Value value) {
    int size = switch (value.getKindCase()) {
      case TEXT -> value.getTextBytes().size();
      case BYTES -> value.getBytes().size();
      case JSON -> value.getJsonBytes().size();
      case KIND_NOT_SET -> throw KvError.invalid("value must be set to text, bytes or json");
    };
    if (size > limits.maxValueBytes()) {
      throw KvError.invalid("value is " + size + " bytes; the limit is " + limits.maxValueBytes());
    }
    if (value.getKindCase() == Value.KindCase.JSON) {
      json(value.getJson());
    }
    return size;
  }

  /** The WriteId rules of common.proto: a client id with a sequence, a lowest_unanswered not ahead of it. */
  void writeId(WriteId writeId) {
    int size = writeId.getClientId().size();
    if (size == 0) {
      if (writeId.getSequence() != 0 || writeId.getLowestUnanswered() != 0 || writeId.getNewSession()) {
        throw KvError.invalid("write_id has a sequence, lowest_unanswered or new_session but no client_id");
      }
      return;
    }
    if (size != CLIENT_ID_BYTES) {
      throw KvError.invalid("write_id.client_id must be " + CLIENT_ID_BYTES + " bytes, got " + size);
    }
    long sequence = writeId.getSequence();
    if (sequence == 0) {
      throw KvError.invalid("write_id.sequence must be at least 1 when client_id is set");
    }
    long lowest = writeId.getLowestUnanswered();
    if (Long.compareUnsigned(lowest, sequence) > 0) {
      throw KvError.invalid("write_id.lowest_unanswered " + Long.toUnsignedString(lowest)
          + " is above its sequence " + Long.toUnsignedString(sequence));
    }
    if (lowest != 0 && Long.compareUnsigned(sequence - lowest, sessions.maxUnansweredWrites()) >= 0) {
      throw KvError.invalid("write_id.sequence " + Long.toUnsignedString(sequence) + " runs "
          + Long.toUnsignedString(sequence - lowest) + " ahead of lowest_unanswered; the limit is "
          + sessions.maxUnansweredWrites() + " (sessions.max-unanswered-writes): wait for earlier writes");
    }
  }

  /** The shape of a Writes call; each write is validated on its own, as if sent alone. */
  void writes(WritesRequest request) {
    int count = request.getWritesCount();
    if (count == 0) {
      throw KvError.invalid("a Writes call must contain at least one write");
    }
    if (count > limits.maxBatchOperations()) {
      throw KvError.invalid("a Writes call has " + count + " writes; the limit is " + limits.maxBatchOperations()
          + " (limits.max-batch-operations)");
    }
    for (int i = 0; i < count; i++) {
      if (request.getWrites(i).getOpCase() == WritesRequest.Write.OpCase.OP_NOT_SET) {
        throw KvError.invalid("writes[" + i + "] has no operation (put, delete or increment)");
      }
    }
  }

  void batch(BatchRequest request) {
    writeId(request.getWriteId());
    int count = request.getOperationsCount();
    if (count == 0) {
      throw KvError.invalid("batch must contain at least one operation");
    }
    if (count > limits.maxBatchOperations()) {
      throw KvError.invalid("batch has " + count + " operations; the limit is " + limits.maxBatchOperations());
    }
    long bytes = 0;
    for (int i = 0; i < count; i++) {
      bytes += operation(i, request.getOperations(i));
    }
    if (bytes > limits.maxBatchBytes()) {
      throw KvError.invalid("batch holds " + bytes + " bytes of keys and values; the limit is "
          + limits.maxBatchBytes());
    }
  }

  private long operation(int i, BatchOperation op) {
    String where = "operations[" + i + "]";
    try {
      return switch (op.getOpCase()) {
        case PUT -> {
          key(where + ".key", op.getPut().getKey());
          yield op.getPut().getKey().size() + (long) value(op.getPut().getValue());
        }
        case DELETE -> {
          key(where + ".key", op.getDelete().getKey());
          yield op.getDelete().getKey().size();
        }
        case OP_NOT_SET -> throw KvError.invalid("must be a put or a delete");
      };
    } catch (KvError e) {
      throw e.getMessage().startsWith(where) ? e : KvError.invalid(where + ": " + e.getMessage());
    }
  }

  /** Accepts exactly one JSON value (no trailing content). */
  private void json(String text) {
    try (JsonParser parser = json.createParser(text)) {
      if (parser.nextToken() == null) {
        throw KvError.invalid("json value is empty");
      }
      parser.skipChildren();
      JsonToken trailing = parser.nextToken();
      if (trailing != null) {
        throw KvError.invalid("json value has trailing content after the document, at "
            + parser.currentLocation().offsetDescription());
      }
    } catch (JsonProcessingException e) {
      throw KvError.invalid("json value is not valid JSON: " + e.getOriginalMessage()
          + " at " + e.getLocation().offsetDescription());
    } catch (IOException e) {
      throw KvError.invalid("json value is not valid JSON: " + e.getMessage());
    }
  }
}
