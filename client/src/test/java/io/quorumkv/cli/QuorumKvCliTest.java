package io.quorumkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.quorumkv.cli.FakeNodeCli.Result;
import io.quorumkv.proto.v1.Member;
import io.quorumkv.proto.v1.Role;
import io.quorumkv.proto.v1.StatusResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class QuorumKvCliTest {
  @RegisterExtension final FakeNodeCli cli = new FakeNodeCli();
  @TempDir Path dir;

  @Test
  void putThenGetPrintsTheValueAndNothingElse() {
    Result put = cli.run("put", "greeting", "hello world");
    assertThat(put.exitCode()).isZero();
    assertThat(put.out()).startsWith("created (index 1)");
    assertThat(put.err()).isEmpty();

    Result get = cli.run("get", "greeting");
    assertThat(get).isEqualTo(new Result(0, "hello world\n", ""));
  }

  @Test
  void getOfAnAbsentKeyExitsWithOne() {
    Result get = cli.run("get", "missing");
    assertThat(get.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(get.out()).isEmpty();
    assertThat(get.err()).contains("key not found: missing");
  }

  @Test
  void getShowsMetadataAndAcceptsStaleOptions() {
    cli.run("put", "k", "v");
    cli.run("put", "k", "w");
    Result get = cli.run("get", "k", "--min-index", "2", "--show-meta");
    assertThat(get.exitCode()).isZero();
    assertThat(get.out()).isEqualTo("w\ncreate_index=1 mod_index=2 version=2 applied_index=2\n");
    assertThat(cli.run("get", "k", "--stale").out()).isEqualTo("w\n");
  }

  @Test
  void valuesCanBeJsonBase64OrFiles() throws IOException {
    assertThat(cli.run("put", "j", "{\"a\":1}", "--json").exitCode()).isZero();
    assertThat(cli.run("put", "b", "//79", "--base64").exitCode()).isZero();
    Path file = dir.resolve("v.bin");
    Files.write(file, "from file".getBytes(StandardCharsets.UTF_8));
    assertThat(cli.run("put", "f", "--file", file.toString()).exitCode()).isZero();

    assertThat(cli.node().store().get(ByteString.copyFromUtf8("j")).getValue().getJson()).isEqualTo("{\"a\":1}");
    assertThat(cli.run("get", "b").out()).isEqualTo("base64://79\n");
    assertThat(cli.run("get", "f").out()).isEqualTo("from file\n");
  }

  @Test
  void putUsageErrorsExitWithTwo() {
    assertThat(cli.run("put", "k").exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.run("put", "k", "v", "--json", "--base64").exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.run("put", "k", "***", "--base64").exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.run("frobnicate").exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.run().exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.node().requests()).isZero();
  }

  @Test
  void delExistsAndIncr() {
    cli.run("put", "k", "v");
    assertThat(cli.run("exists", "k")).isEqualTo(new Result(0, "true\n", ""));
    assertThat(cli.run("del", "k")).isEqualTo(new Result(0, "deleted\n", ""));
    assertThat(cli.run("del", "k").exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(cli.run("exists", "k")).isEqualTo(new Result(1, "false\n", ""));

    assertThat(cli.run("incr", "n").out()).isEqualTo("1\n");
    assertThat(cli.run("incr", "n", "10").out()).isEqualTo("11\n");
    assertThat(cli.run("incr", "n", "-5").out()).isEqualTo("6\n");
  }

  @Test
  void incrOfTextExitsWithThree() {
    cli.run("put", "t", "abc");
    Result incr = cli.run("incr", "t");
    assertThat(incr.exitCode()).isEqualTo(ExitCodes.INVALID_REQUEST);
    assertThat(incr.err()).startsWith("quorumkv: not an integer").doesNotContain("\tat ");
  }

  @Test
  void verbosePrintsTheStackTrace() {
    cli.node().failNext(1, Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST");
    Result put = cli.run("put", "k", "v", "--verbose");
    assertThat(put.exitCode()).isEqualTo(ExitCodes.INVALID_REQUEST);
    assertThat(put.err()).contains("invalid request").contains("\tat ");
  }

  @Test
  void unavailableClusterExitsWithFour() {
    cli.node().failNext(10_000, Status.Code.UNAVAILABLE, "LEADER_NOT_READY");
    // Global options also work after the command name.
    Result r = cli.runExactly("put", "k", "v", "--endpoints", cli.node().endpoint(), "--timeout", "0.3");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(r.err()).startsWith("quorumkv: unavailable: Put gave up");
  }

  @Test
  void batchFromArgumentsFileAndStdin() throws IOException {
    assertThat(cli.run("batch", "put", "a", "1", "put", "b", "2", "del", "c")).isEqualTo(new Result(0, "3\n", ""));

    Path file = dir.resolve("ops.txt");
    Files.writeString(file, "# comment\nput c hello world\n\ndel a\n");
    assertThat(cli.run("batch", "--file", file.toString()).out()).isEqualTo("2\n");
    assertThat(cli.run("get", "c").out()).isEqualTo("hello world\n");

    InputStream stdin = new ByteArrayInputStream("put d 4\n".getBytes(StandardCharsets.UTF_8));
    assertThat(cli.runWithStdin(stdin, "batch", "--file", "-").out()).isEqualTo("1\n");
    assertThat(cli.run("exists", "d").exitCode()).isZero();

    assertThat(cli.run("batch", "put", "x").exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.run("batch").exitCode()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void scanFollowsPagesAndHonoursLimits() {
    cli.run("batch", "put", "a1", "x", "put", "a2", "y", "put", "a3", "z", "put", "b1", "w");
    cli.node().maxPageSize(2);

    assertThat(cli.run("scan", "--prefix", "a").out()).isEqualTo("a1\tx\na2\ty\na3\tz\n");
    assertThat(cli.run("scan", "--keys-only", "--limit", "3", "--page-size", "1").out()).isEqualTo("a1\na2\na3\n");
    assertThat(cli.run("scan", "--start", "a2", "--end", "b1", "--keys-only", "--stale").out()).isEqualTo("a2\na3\n");
    assertThat(cli.run("scan", "--prefix", "a", "--start", "a").exitCode()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void statusPrintsATableAndJson() {
    cli.node().status(
        StatusResponse.newBuilder()
            .setClusterId("c1")
            .setLeaderId("n1")
            .setLeaderClientAddress("127.0.0.1:7001")
            .setTerm(3)
            .addMembers(member("n1", "127.0.0.1:7001", Role.LEADER))
            .addMembers(member("n2", "127.0.0.1:7002", Role.FOLLOWER).toBuilder().setServing(false)
                .addNotServingReasons("index docs is BUILDING"))
            .addMembers(
                Member.newBuilder()
                    .setId("n3")
                    .setClientAddress("127.0.0.1:7003")
                    .setReachable(false)
                    .setError("connection refused"))
            .build());

    Result table = cli.run("status");
    assertThat(table.exitCode()).isZero();
    assertThat(table.out().lines())
        .containsExactly(
            "cluster c1, leader n1 (127.0.0.1:7001), term 3, answered by n1",
            "ID   CLIENT ADDRESS  ROLE      TERM  COMMIT  APPLIED  NOTE",
            "n1*  127.0.0.1:7001  leader    3     10      9",
            "n2   127.0.0.1:7002  follower  3     10      9        not serving: index docs is BUILDING",
            "n3   127.0.0.1:7003  -         -     -       -        unreachable: connection refused");

    Result json = cli.run("status", "--json");
    assertThat(json.exitCode()).isZero();
    assertThat(json.out())
        .contains("\"cluster_id\": \"c1\"")
        .contains("\"leader_id\": \"n1\"")
        .contains("\"role\": \"FOLLOWER\"")
        .contains("\"reachable\": false")
        .contains("\"commit_index\": \"10\"");
  }

  private static Member member(String id, String address, Role role) {
    return Member.newBuilder()
        .setId(id)
        .setClientAddress(address)
        .setReachable(true)
        .setRole(role)
        .setTerm(3)
        .setCommitIndex(10)
        .setAppliedIndex(9)
        .setLeaderId("n1")
        .setServing(true)
        .build();
  }

  @Test
  void tlsFilesGoTogether() {
    Result certWithoutCa = cli.run("--cert", "c.pem", "--key", "k.pem", "get", "k");
    assertThat(certWithoutCa.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(certWithoutCa.err()).contains("--cert and --key need --cacert");
    Result certWithoutKey = cli.run("--cacert", "ca.pem", "--cert", "c.pem", "get", "k");
    assertThat(certWithoutKey.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(certWithoutKey.err()).contains("--cert and --key go together");
  }

  @Test
  void healthExitsZeroOnlyWhenTheMemberServes() {
    cli.node().memberStatus(member("n1", "127.0.0.1:7001", Role.LEADER));
    Result serving = cli.run("health");
    assertThat(serving.exitCode()).isEqualTo(ExitCodes.OK);
    assertThat(serving.out()).contains("n1 (").contains("): SERVING");

    cli.node().memberStatus(member("n1", "127.0.0.1:7001", Role.CANDIDATE).toBuilder().setServing(false)
        .addNotServingReasons("no leader known: electing one").addNotServingReasons("index docs is BUILDING")
        .build());
    Result notServing = cli.run("health");
    assertThat(notServing.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(notServing.out()).contains("): NOT_SERVING: no leader known: electing one; index docs is BUILDING");
  }

  @Test
  void helpListsExitCodes() {
    Result help = cli.run("help", "get");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("Exit codes:").contains("4   unavailable / timeout").contains("--endpoints");
  }

  @Test
  void registersOnlyTheNamedCommandsAndAllWithoutOne() {
    InputStream none = new ByteArrayInputStream(new byte[0]);
    assertThat(QuorumKvCli.commandLine(none, new String[] {"--endpoints", "h:1", "get", "k"}).getSubcommands())
        .containsOnlyKeys("get");
    assertThat(QuorumKvCli.commandLine(none, new String[] {"--help"}).getSubcommands())
        .containsKeys("put", "get", "member", "bench", "help").hasSize(20);
    Result usage = cli.run("--help");
    assertThat(usage.exitCode()).isZero();
    assertThat(usage.out()).contains("transfer-leader").contains("member").contains("Exit codes:");
    Result commandHelp = cli.run("get", "--help");
    assertThat(commandHelp.exitCode()).isZero();
    assertThat(commandHelp.out()).contains("Usage: quorumkv get").contains("--show-meta").contains("Exit codes:");
    assertThat(cli.run("gte", "k").err()).contains("Unmatched argument").contains("get");
  }
}
