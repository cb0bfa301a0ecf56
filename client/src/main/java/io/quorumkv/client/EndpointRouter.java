package io.quorumkv.client;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Knows the cluster's client endpoints ("host:port") and which one to try first: the cached leader.
 * Starts with the first configured endpoint. Shared by all calls of a client, so what one call learns
 * (a leader hint, a dead member) benefits the next ones. Thread-safe.
 */
final class EndpointRouter {
  private final CopyOnWriteArrayList<String> endpoints;
  private final AtomicReference<String> preferred;

  /** @param endpoints at least one "host:port"; the first one is tried first */
  EndpointRouter(List<String> endpoints) {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("at least one endpoint is required");
    }
    this.endpoints = new CopyOnWriteArrayList<>(endpoints);
    this.preferred = new AtomicReference<>(endpoints.get(0));
  }

  /** The endpoint a new call goes to first: the last known leader. */
  String preferred() {
    return preferred.get();
  }

  /** A snapshot of the known endpoints, configured ones first, then learned leaders. */
  List<String> endpoints() {
    return List.copyOf(endpoints);
  }

  /** Follows a leader hint: caches it as preferred (learning it if unknown) and returns it. */
  String redirect(String leaderEndpoint) {
    endpoints.addIfAbsent(leaderEndpoint);
    preferred.set(leaderEndpoint);
    return leaderEndpoint;
  }

  /**
   * Moves on from an endpoint that failed and returns where to go now. If {@code failed} is still the
   * preferred endpoint, the next one in round-robin order becomes preferred; if another call already
   * moved the preference (e.g. to a leader it was told about), that newer choice is returned instead.
   */
  String next(String failed) {
    int index = endpoints.indexOf(failed);
    String successor = endpoints.get((index + 1) % endpoints.size());
    preferred.compareAndSet(failed, successor);
    return preferred.get();
  }
}
