package io.quorumkv.perf.etcd;

import io.quorumkv.bench.BenchTarget;
import io.quorumkv.bench.BenchTargetProvider;
import java.util.List;

/** {@code quorumkv bench --target etcd}: connection i goes to endpoint i mod n, as etcd's benchmark spreads them. */
public final class EtcdTargetProvider implements BenchTargetProvider {
  @Override
  public String name() {
    return "etcd";
  }

  @Override
  public BenchTarget open(List<String> endpoints, int connection) {
    return new EtcdTarget(endpoints.get(connection % endpoints.size()));
  }
}
