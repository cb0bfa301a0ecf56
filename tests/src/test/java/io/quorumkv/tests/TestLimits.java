package io.quorumkv.tests;

import io.quorumkv.server.config.Limits;

/** Small limits so that limit tests stay fast; the ratios between them match the defaults. */
public final class TestLimits {
  public static final Limits SMALL = new Limits(256, 64 * 1024, 50, 256 * 1024, 20, 100, 1024 * 1024, 1024 * 1024);

  private TestLimits() {}
}
