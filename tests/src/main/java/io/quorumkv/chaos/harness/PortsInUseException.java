package io.quorumkv.chaos.harness;

import java.util.List;

/** Some member's port is already taken, so the cluster cannot be started by this process. */
public final class PortsInUseException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /** @param busy one "node host:port" entry per busy port */
  public PortsInUseException(List<String> busy) {
    super("ports already in use (stop whatever holds them, e.g. a running local-cluster): " + busy);
  }
}
