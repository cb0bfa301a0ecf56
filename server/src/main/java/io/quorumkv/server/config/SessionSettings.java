package io.quorumkv.server.config;

import java.time.Duration;

/**
 * Client sessions: how long the cluster keeps the results of a client's writes so that retries are applied
 * once. The leader writes the first two into every log entry, so all members expire sessions alike.
 *
 * @param expireAfter         a session with no write for this long (by the leaders' clocks as logged)
 *                            expires with its results; a client must finish retrying a write within it
 * @param maxSessions         sessions kept at most; opening one more first expires the longest-idle one
 * @param maxUnansweredWrites how far a write's sequence may run ahead of its lowest_unanswered: bounds the
 *                            results one session keeps; checked before replication
 */
public record SessionSettings(Duration expireAfter, int maxSessions, int maxUnansweredWrites) {

  /**
   * Ten minutes is far above any client's retry window (the Java client gives up after its overall
   * timeout, 15 s by default); 100,000 sessions of a few hundred bytes each fit any member heap.
   */
  public static final SessionSettings DEFAULTS = new SessionSettings(Duration.ofMinutes(10), 100_000, 10_000);

  public SessionSettings {
    if (expireAfter.toMillis() < 1000) {
      throw new ConfigException("sessions.expire-after must be at least 1s");
    }
    if (maxSessions < 1) {
      throw new ConfigException("sessions.max-sessions must be at least 1");
    }
    if (maxUnansweredWrites < 1) {
      throw new ConfigException("sessions.max-unanswered-writes must be at least 1");
    }
  }
}
