package io.quorumkv.statemachine.read;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.internal.StoredValue;

/** A key with its record as stored (value, bookkeeping and embeddings). */
public record StoredEntry(ByteString key, StoredValue stored) {}
