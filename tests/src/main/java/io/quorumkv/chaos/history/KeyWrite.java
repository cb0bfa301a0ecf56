package io.quorumkv.chaos.history;

/**
 * One write inside a batch.
 *
 * @param key the key written
 * @param value the value put, or null for a delete
 */
public record KeyWrite(String key, String value) {
  public boolean isDelete() {
    return value == null;
  }
}
