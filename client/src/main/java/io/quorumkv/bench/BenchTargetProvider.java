package io.quorumkv.bench;

import java.util.List;

/**
 * Another system for {@code quorumkv bench --target NAME} to drive with the same load model, found with
 * {@link java.util.ServiceLoader} on the classpath (e.g. the etcd target of the tests module, so that the
 * product itself never depends on etcd).
 */
public interface BenchTargetProvider {
  /** The name {@code --target} selects it by, e.g. {@code etcd}. */
  String name();

  /**
   * Opens connection number {@code connection} (0-based) of a run.
   *
   * @param endpoints the run's {@code --endpoints}, "host:port" each
   */
  BenchTarget open(List<String> endpoints, int connection);
}
