package io.quorumkv.server.health;

import io.quorumkv.server.health.HealthRules.Verdict;
import java.util.List;

/**
 * Turns the verdicts of consecutive checks into the one a member publishes, so that load balancers do not
 * see a member flap between SERVING and NOT_SERVING while a delay hovers around its limit. For key-value
 * requests and for everything (searches included) alike:
 *
 * <ul>
 *   <li>serving stops at once when a reason is a state (no leader, a learner, removed, an index not READY),
 *       and after {@value #CONFIRMING_CHECKS} consecutive failing checks when every reason is a delay (a
 *       silence, an apply or index lag);
 *   <li>serving resumes after {@value #CONFIRMING_CHECKS} consecutive checks that find nothing wrong.
 * </ul>
 *
 * <p>The published verdict serves everything only if it serves key-value requests. Not thread-safe: fed by
 * one checking thread.
 */
final class SteadyHealth {
  static final int CONFIRMING_CHECKS = 2;

  private final Side kv = new Side();
  private final Side all = new Side();
  private Verdict published = Verdict.STARTING;

  /** The verdict to publish after this check's. */
  Verdict next(Verdict observed) {
    boolean servesKv = kv.next(observed.servesKv(), observed.kvDelaysOnly());
    boolean servesAll = all.next(observed.serving(), observed.searchDelaysOnly()) && servesKv;
    published = new Verdict(
        reasons(servesKv, observed.kvReasons(), published.kvReasons()),
        reasons(servesAll, observed.searchReasons(), published.searchReasons()),
        observed.kvDelaysOnly(), observed.searchDelaysOnly());
    return published;
  }

  private static List<String> reasons(boolean serving, List<String> observed, List<String> before) {
    if (serving) {
      return List.of();
    }
    if (!observed.isEmpty()) {
      return observed;
    }
    String was = before.stream().filter(r -> !r.startsWith(RECOVERING)).findFirst().orElse("");
    return List.of(RECOVERING + CONFIRMING_CHECKS + " checks in a row pass" + (was.isEmpty() ? "" : " (was: " + was
        + ")"));
  }

  private static final String RECOVERING = "recovering: serving again once ";

  /** One service's published state, and how many consecutive checks disagreed with it. */
  private static final class Side {
    private boolean serving;
    private int disagreeing;

    boolean next(boolean observedServing, boolean delaysOnly) {
      if (observedServing == serving) {
        disagreeing = 0;
      } else if (++disagreeing >= CONFIRMING_CHECKS || !observedServing && !delaysOnly) {
        serving = observedServing;
        disagreeing = 0;
      }
      return serving;
    }
  }
}
