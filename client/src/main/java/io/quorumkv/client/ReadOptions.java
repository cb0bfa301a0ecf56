package io.quorumkv.client;

import io.quorumkv.proto.v1.Consistency;

/**
 * The consistency a read asks for. Immutable.
 *
 * @see #linearizable()
 * @see #stale(long)
 */
public final class ReadOptions {
  private static final ReadOptions LINEARIZABLE = new ReadOptions(Consistency.LINEARIZABLE, 0);

  private final Consistency consistency;
  private final long minIndex;

  private ReadOptions(Consistency consistency, long minIndex) {
    this.consistency = consistency;
    this.minIndex = minIndex;
  }

  /** The default: the read observes every write acknowledged before it was sent. */
  public static ReadOptions linearizable() {
    return LINEARIZABLE;
  }

  /**
   * A read from the answering member's local state, possibly missing recent writes. With {@code
   * minIndex > 0} the member first waits until it has applied that log index (read-your-writes: pass the
   * {@link WriteResult#index()} of your last write); 0 means no wait. An index this cluster never
   * returned (beyond its commit index) fails at once with {@link InvalidRequestException}.
   */
  public static ReadOptions stale(long minIndex) {
    if (minIndex < 0) {
      throw new IllegalArgumentException("minIndex must be >= 0: " + minIndex);
    }
    return new ReadOptions(Consistency.STALE, minIndex);
  }

  /** True for {@link #stale(long)} reads. */
  public boolean isStale() {
    return consistency == Consistency.STALE;
  }

  /** The lowest applied index a stale read must observe; 0 if none. */
  public long minIndex() {
    return minIndex;
  }

  io.quorumkv.proto.v1.ReadOptions toProto() {
    return io.quorumkv.proto.v1.ReadOptions.newBuilder()
        .setConsistency(consistency)
        .setMinIndex(minIndex)
        .build();
  }

  @Override
  public String toString() {
    return isStale() ? "stale(minIndex=" + minIndex + ")" : "linearizable";
  }
}
