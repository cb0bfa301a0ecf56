package io.quorumkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.quorumkv.client.FakeNode;
import io.quorumkv.proto.v1.Member;
import io.quorumkv.proto.v1.Role;
import io.quorumkv.proto.v1.StatusResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class QuorumKvCliTest {
  private FakeNode node;
  @TempDir Path dir;

  @BeforeEach
  void start() throws IOException {
    node = FakeNode.start("n1");
  }

  @AfterEach
  void stop() {
    node.close();
  }

  record Result(int exitCode, String out, String err) {}

  private Result run(String... args) {
    return runWithStdin(new ByteArrayInputStream(new byte[0]), args);
  }

  private Result runWithStdin(InputStream stdin, String... args) {
    CommandLine cli = QuorumKvCli.commandLine(stdin);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of("--endpoints", node.endpoint(), "--timeout", "2"));
    all.addAll(List.of(args));
    int code = cli.execute(all.toArray(String[]::new));
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void putThenGetPrintsTheValueAndNothingElse() {
    Result put = run("put", "greeting", "hello world");
    assertThat(put.exitCode()).isZero();
    assertThat(put.out()).startsWith("created (index 1)");
    assertThat(put.err()).isEmpty();

    Result get = run("get", "greeting");
    assertThat(get).isEqualTo(new Result(0, "hello world\n", ""));
  }

  @Test
  void getOfAnAbsentKeyExitsWithOne() {
    Result get = run("get", "missing");
    assertThat(get.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(get.out()).isEmpty();
    assertThat(get.err()).contains("key not found: missing");
  }

  @Test
  void getShowsMetadataAndAcceptsStaleOptions() {
    run("put", "k", "v");
    run("put", "k", "w");
    Result get = run("get", "k", "--min-index", "2", "--show-meta");
    assertThat(get.exitCode()).isZero();
    assertThat(get.out()).isEqualTo("w\ncreate_index=1 mod_index=2 version=2 applied_index=2\n");
    assertThat(run("get", "k", "--stale").out()).isEqualTo("w\n");
  }

  @Test
  void valuesCanBeJsonBase64OrFiles() throws IOException {
    assertThat(run("put", "j", "{\"a\":1}", "--json").exitCode()).isZero();
    assertThat(run("put", "b", "//79", "--base64").exitCode()).isZero();
    Path file = dir.resolve("v.bin");
    Files.write(file, "from file".getBytes(StandardCharsets.UTF_8));
    assertThat(run("put", "f", "--file", file.toString()).exitCode()).isZero();

    assertThat(node.store().get(ByteString.copyFromUtf8("j")).getValue().getJson()).isEqualTo("{\"a\":1}");
    assertThat(run("get", "b").out()).isEqualTo("base64://79\n");
    assertThat(run("get", "f").out()).isEqualTo("from file\n");
  }

  @Test
  void putUsageErrorsExitWithTwo() {
    assertThat(run("put", "k").exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run("put", "k", "v", "--json", "--base64").exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run("put", "k", "***", "--base64").exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run("frobnicate").exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run().exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(node.requests()).isZero();
  }

  @Test
  void delExistsAndIncr() {
    run("put", "k", "v");
    assertThat(run("exists", "k")).isEqualTo(new Result(0, "true\n", ""));
    assertThat(run("del", "k")).isEqualTo(new Result(0, "deleted\n", ""));
    assertThat(run("del", "k").exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(run("exists", "k")).isEqualTo(new Result(1, "false\n", ""));

    assertThat(run("incr", "n").out()).isEqualTo("1\n");
    assertThat(run("incr", "n", "10").out()).isEqualTo("11\n");
    assertThat(run("incr", "n", "-5").out()).isEqualTo("6\n");
  }

  @Test
  void incrOfTextExitsWithThree() {
    run("put", "t", "abc");
    Result incr = run("incr", "t");
    assertThat(incr.exitCode()).isEqualTo(ExitCodes.INVALID_REQUEST);
    assertThat(incr.err()).startsWith("quorumkv: not an integer").doesNotContain("\tat ");
  }

  @Test
  void verbosePrintsTheStackTrace() {
    node.failNext(1, Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST");
    Result put = run("put", "k", "v", "--verbose");
    assertThat(put.exitCode()).isEqualTo(ExitCodes.INVALID_REQUEST);
    assertThat(put.err()).contains("invalid request").contains("\tat ");
  }

  @Test
  void unavailableClusterExitsWithFour() {
    node.failNext(10_000, Status.Code.UNAVAILABLE, "LEADER_NOT_READY");
    CommandLine cli = QuorumKvCli.commandLine(InputStream.nullInputStream());
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err, true));
    // Global options also work after the command name.
    int code = cli.execute("put", "k", "v", "--endpoints", node.endpoint(), "--timeout", "0.3");
    assertThat(code).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(err.toString()).startsWith("quorumkv: unavailable: Put gave up");
  }

  @Test
  void batchFromArgumentsFileAndStdin() throws IOException {
    assertThat(run("batch", "put", "a", "1", "put", "b", "2", "del", "c")).isEqualTo(new Result(0, "3\n", ""));

    Path file = dir.resolve("ops.txt");
    Files.writeString(file, "# comment\nput c hello world\n\ndel a\n");
    assertThat(run("batch", "--file", file.toString()).out()).isEqualTo("2\n");
    assertThat(run("get", "c").out()).isEqualTo("hello world\n");

    InputStream stdin = new ByteArrayInputStream("put d 4\n".getBytes(StandardCharsets.UTF_8));
    assertThat(runWithStdin(stdin, "batch", "--file", "-").out()).isEqualTo("1\n");
    assertThat(run("exists", "d").exitCode()).isZero();

    assertThat(run("batch", "put", "x").exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run("batch").exitCode()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void scanFollowsPagesAndHonoursLimits() {
    run("batch", "put", "a1", "x", "put", "a2", "y", "put", "a3", "z", "put", "b1", "w");
    node.maxPageSize(2);

    assertThat(run("scan", "--prefix", "a").out()).isEqualTo("a1\tx\na2\ty\na3\tz\n");
    assertThat(run("scan", "--keys-only", "--limit", "3", "--page-size", "1").out()).isEqualTo("a1\na2\na3\n");
    assertThat(run("scan", "--start", "a2", "--end", "b1", "--keys-only", "--stale").out()).isEqualTo("a2\na3\n");
    assertThat(run("scan", "--prefix", "a", "--start", "a").exitCode()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void statusPrintsATableAndJson() {
    node.status(
        StatusResponse.newBuilder()
            .setClusterId("c1")
            .setLeaderId("n1")
            .setLeaderClientAddress("127.0.0.1:7001")
            .setTerm(3)
            .addMembers(member("n1", "127.0.0.1:7001", Role.LEADER))
            .addMembers(member("n2", "127.0.0.1:7002", Role.FOLLOWER))
            .addMembers(
                Member.newBuilder()
                    .setId("n3")
                    .setClientAddress("127.0.0.1:7003")
                    .setReachable(false)
                    .setError("connection refused"))
            .build());

    Result table = run("status");
    assertThat(table.exitCode()).isZero();
    assertThat(table.out().lines())
        .containsExactly(
            "cluster c1, leader n1 (127.0.0.1:7001), term 3, answered by n1",
            "ID   CLIENT ADDRESS  ROLE      TERM  COMMIT  APPLIED  NOTE",
            "n1*  127.0.0.1:7001  leader    3     10      9",
            "n2   127.0.0.1:7002  follower  3     10      9",
            "n3   127.0.0.1:7003  -         -     -       -        unreachable: connection refused");

    Result json = run("status", "--json");
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
        .build();
  }

  @Test
  void helpListsExitCodes() {
    Result help = run("help", "get");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("Exit codes:").contains("4   unavailable / timeout").contains("--endpoints");
  }
}
