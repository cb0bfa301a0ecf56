package io.quorumkv.statemachine.read;

import io.quorumkv.proto.v1.KeyValue;
import java.util.Optional;

/**
 * One key as the committed state at {@code appliedIndex} holds it: exactly that state, as a {@link ReadView}
 * opened at that moment would read it.
 *
 * @param kv the key with its bookkeeping, or empty if absent
 * @param appliedIndex index of the last log entry applied to the state read
 */
public record PointRead(Optional<KeyValue> kv, long appliedIndex) {}
