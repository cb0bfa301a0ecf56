package io.quorumkv.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quorumkv.chaos.FinalState;
import io.quorumkv.chaos.checker.CheckResult;
import io.quorumkv.chaos.checker.ConvergenceChecker;
import io.quorumkv.chaos.checker.CountersChecker;
import io.quorumkv.chaos.checker.LinearizabilityChecker;
import io.quorumkv.chaos.checker.LostWritesChecker;
import io.quorumkv.chaos.harness.ClusterFiles;
import io.quorumkv.chaos.harness.ProcessCluster;
import io.quorumkv.chaos.history.History;
import io.quorumkv.chaos.history.Outcome;
import io.quorumkv.chaos.history.Recorder;
import io.quorumkv.chaos.workload.KeySpace;
import io.quorumkv.chaos.workload.Workload;
import io.quorumkv.cli.QuorumKvCli;
import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.client.QuorumKvException;
import io.quorumkv.client.Values;
import io.quorumkv.proto.v1.ListMembersResponse;
import io.quorumkv.proto.v1.Member;
import io.quorumkv.proto.v1.Membership;
import io.quorumkv.server.Directories;
import io.quorumkv.server.config.NodeSpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Membership changes under writes, on member processes: a cluster of three grows to five (two members
 * started with --join, each added as a learner and promoted), loses two (the leader among them), and
 * takes one of them back after its data is wiped. Clients write throughout; the whole history passes the
 * lost-writes, linearizability and counter checkers, the final members hold identical data, and a removed
 * member refuses requests and says why.
 */
class MembershipIT {
  private static final Duration CHANGE_TIMEOUT = Duration.ofSeconds(120);

  @Test
  void growsToFiveShrinksToThreeAndTakesAMemberBackWithoutLosingAWrite() throws Exception {
    long seed = TestSeeds.seed("MembershipIT");
    Path root = Files.createDirectories(Path.of(System.getProperty("quorumkv.test.dir",
        System.getProperty("java.io.tmpdir"))));
    Path dir = Files.createTempDirectory(root, "membership-");
    Path grown = ClusterFiles.loopback(dir, "membership", 5, "log:\n  snapshot-every-entries: 200\n");
    Path initial = ClusterFiles.firstMembers(grown, 3, dir.resolve("initial.yaml"));
    try (ProcessCluster cluster = new ProcessCluster(grown, dir.resolve("logs"))) {
      for (String id : List.of("n1", "n2", "n3")) {
        cluster.launchWith(id, initial);
      }
      for (String id : List.of("n4", "n5")) {
        cluster.launchWith(id, grown, "--join");
      }
      for (String id : cluster.nodeIds()) {
        cluster.restart(id);
      }
      cluster.awaitLeader(60_000).orElseThrow();
      Recorder recorder = new Recorder(System::nanoTime);
      KeySpace keys = new KeySpace("membership/" + Long.toUnsignedString(seed, 36) + "/", 8, 4);
      List<String> removed = new ArrayList<>();
      List<String> finalMembers;
      try (QuorumKvClient admin = client(cluster.clientEndpoints());
          Workload workload = new Workload(cluster.clientEndpoints(), keys, 4, seed, recorder, false)) {
        workload.start();
        awaitAcknowledged(recorder, 50);
        assertThat(voters(admin.membership().list())).containsExactly("n1", "n2", "n3");

        // A member that is not running cannot be added; the configuration stays as it was.
        assertThatThrownBy(() -> admin.membership().add("n9", "127.0.0.1:" + ClusterFiles.freePort(),
            "127.0.0.1:" + ClusterFiles.freePort(), false, CHANGE_TIMEOUT))
            .isInstanceOf(QuorumKvException.class)
            .hasMessageContaining("MEMBERSHIP_CHANGE_REFUSED")
            .hasMessageContaining("does not answer at its client address");
        assertThat(admin.membership().list().getMembersList()).extracting(Member::getId)
            .containsExactly("n1", "n2", "n3");

        // Grow 3 -> 5: each new member joins as a learner, catches up (past a few snapshots), and votes.
        for (String id : List.of("n4", "n5")) {
          NodeSpec spec = cluster.config().requireNode(id);
          awaitAnswering(spec);
          var added = admin.membership().add(id, spec.raftAddress(), spec.clientAddress(), false, CHANGE_TIMEOUT);
          assertThat(added.getChanged()).isTrue();
          assertThat(membershipOf(added.getMembersList(), id)).isEqualTo(Membership.VOTER);
          awaitAcknowledged(recorder, recorder.countsSoFar()[0] + 30);
        }
        assertThat(voters(admin.membership().list())).containsExactly("n1", "n2", "n3", "n4", "n5");
        assertThat(cli(cluster, "member", "list")).contains("n5  voter").contains("answered by");
        assertThat(cli(cluster, "status")).contains("n4 ").contains("n5 ");

        // Shrink 5 -> 3: the leader first, then one of the other original members.
        String leader = cluster.awaitLeader(30_000).orElseThrow();
        removed.add(leader);
        removed.add(List.of("n1", "n2", "n3").stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow());
        for (String id : removed) {
          var after = admin.membership().remove(id, CHANGE_TIMEOUT);
          assertThat(after.getMembersList()).extracting(Member::getId).doesNotContain(id);
          awaitAcknowledged(recorder, recorder.countsSoFar()[0] + 30);
        }
        assertThat(voters(admin.membership().list())).hasSize(3).doesNotContainAnyElementsOf(removed);
        assertThat(cluster.awaitLeader(30_000).orElseThrow()).isNotIn(removed);
        for (String id : removed) {
          assertServesNothing(cluster, id);
        }

        // A third removal would leave two voters, fewer than membership.min-voters (3).
        String oneMore = voters(admin.membership().list()).get(0);
        assertThatThrownBy(() -> admin.membership().remove(oneMore, CHANGE_TIMEOUT))
            .isInstanceOf(QuorumKvException.class)
            .hasMessageContaining("fewer than membership.min-voters (3)");

        // Take the first removed member back: stop it, wipe it, start it with --join, add it.
        String back = removed.get(0);
        cluster.kill(back);
        Directories.deleteRecursively(cluster.config().requireNode(back).dataDir());
        cluster.launchWith(back, grown, "--join");
        cluster.restart(back);
        NodeSpec spec = cluster.config().requireNode(back);
        awaitAnswering(spec);
        assertThat(admin.membership().add(back, spec.raftAddress(), spec.clientAddress(), false, CHANGE_TIMEOUT)
            .getChanged()).isTrue();
        awaitAcknowledged(recorder, recorder.countsSoFar()[0] + 50);
        finalMembers = voters(admin.membership().list());
        assertThat(finalMembers).hasSize(4).contains(back).doesNotContain(removed.get(1));
        workload.stop();
      }
      cluster.kill(removed.get(1));

      History history = recorder.history();
      Map<String, String> unique = FinalState.uniqueKeys(cluster, keys);
      Map<String, String> counters = FinalState.counters(cluster, keys);
      List<CheckResult> checks = List.of(
          new LostWritesChecker(keys::isUnique).check(history, unique),
          new LinearizabilityChecker().check(history),
          new CountersChecker(keys::isCounter).check(history, counters),
          ConvergenceChecker.check(FinalState.digests(cluster, keys, finalMembers)));
      long[] counts = recorder.countsSoFar();
      System.out.printf("MembershipIT: %d ok, %d failed (%s), %d unknown operations; removed %s, took %s back; %s%n",
          counts[0], counts[1], history.operations().stream().filter(o -> o.outcome() == Outcome.FAIL)
              .map(o -> o.type() + ": " + o.result()).distinct().limit(3).toList(),
          counts[2], removed, removed.get(0),
          checks.stream().map(c -> c.checker() + " " + (c.passed() ? "ok" : c.violations()) + " " + c.notes())
              .collect(Collectors.joining("; ")));
      assertThat(checks).allSatisfy(check -> assertThat(check.violations()).as(check.checker()).isEmpty());
      assertThat(unique).as("acknowledged unique writes").isNotEmpty();
    }
  }

  /** Waits for a just-started member to answer on its client port, as an operator waits for its log line. */
  private static void awaitAnswering(NodeSpec member) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    try (QuorumKvClient direct = QuorumKvClient.builder().endpoints(List.of(member.clientAddress()))
        .overallTimeout(Duration.ofSeconds(2)).build()) {
      while (true) {
        try {
          direct.admin().memberStatus(member.clientAddress());
          return;
        } catch (QuorumKvException e) {
          assertThat(System.nanoTime()).as("%s does not answer: %s", member.id(), e).isLessThan(deadline);
          Thread.sleep(200);
        }
      }
    }
  }

  /** A removed member answers MEMBER_REMOVED to reads and writes, and its status says it was removed. */
  private static void assertServesNothing(ProcessCluster cluster, String id) throws InterruptedException {
    String endpoint = cluster.config().requireNode(id).clientAddress();
    try (QuorumKvClient direct = QuorumKvClient.builder().endpoints(List.of(endpoint))
        .overallTimeout(Duration.ofSeconds(2)).build()) {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      Member status = direct.admin().memberStatus(endpoint);
      while (status.getServing() || status.getNotServingReasonsList().stream().noneMatch(r -> r.contains("removed"))) {
        assertThat(System.nanoTime()).as("%s still serves: %s", id, status).isLessThan(deadline);
        Thread.sleep(200);
        status = direct.admin().memberStatus(endpoint);
      }
      assertThat(status.getNotServingReasons(0)).contains("member " + id).contains("removed from the cluster");
      assertThatThrownBy(() -> direct.put("membership/after-removal", Values.text("x")))
          .isInstanceOf(QuorumKvException.class)
          .satisfies(e -> assertThat(((QuorumKvException) e).errorCode()).contains("MEMBER_REMOVED"))
          .hasMessageContaining("removed from the cluster");
      assertThatThrownBy(() -> direct.get("membership/after-removal"))
          .isInstanceOf(QuorumKvException.class)
          .hasMessageContaining("MEMBER_REMOVED");
    }
  }

  /** Runs the CLI against every member and returns what it printed; it must succeed. */
  private static String cli(ProcessCluster cluster, String... args) {
    StringWriter out = new StringWriter();
    CommandLine cli = QuorumKvCli.commandLine(System.in);
    cli.setOut(new PrintWriter(out, true));
    List<String> line = new ArrayList<>(List.of("--endpoints", String.join(",", cluster.clientEndpoints())));
    line.addAll(List.of(args));
    assertThat(cli.execute(line.toArray(String[]::new))).as("quorumkv %s: %s", line, out).isZero();
    System.out.printf("MembershipIT: quorumkv %s%n%s", String.join(" ", args), out);
    return out.toString();
  }

  private static void awaitAcknowledged(Recorder recorder, long ok) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (recorder.countsSoFar()[0] < ok) {
      assertThat(System.nanoTime()).as("%d operations acknowledged", ok).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  private static List<String> voters(ListMembersResponse members) {
    return members.getMembersList().stream().filter(m -> m.getMembership() == Membership.VOTER)
        .map(Member::getId).toList();
  }

  private static Membership membershipOf(List<Member> members, String id) {
    return members.stream().filter(m -> m.getId().equals(id)).findFirst().orElseThrow().getMembership();
  }

  private static QuorumKvClient client(List<String> endpoints) {
    return QuorumKvClient.builder().endpoints(endpoints).overallTimeout(Duration.ofSeconds(30)).build();
  }
}
