package io.quorumkv.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quorumkv.client.AdminClient;
import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.client.Values;
import io.quorumkv.server.config.ClusterConfig;
import io.quorumkv.server.config.LogSettings;
import io.quorumkv.server.membership.PeerAddresses;
import io.quorumkv.server.raft.LeaderCheckpointFetcher;
import io.quorumkv.server.tls.MemberTls;
import io.quorumkv.statemachine.storage.RocksKvStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.ratis.protocol.RaftPeer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fetcher a member uses to copy the leader's state when it fell behind the leader's log (the whole
 * install is exercised by SnapshotInstallIT): what it leaves on disk, and the mistakes it refuses.
 */
class LeaderCheckpointFetcherIT {
  private static ClusterWithClient fixture;

  @BeforeAll
  static void start() throws Exception {
    fixture = ClusterWithClient.start(LogSettings.DEFAULTS);
  }

  @AfterAll
  static void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void copiesTheLeadersStoreAsAPlainCheckpointHoldingTheRequestedIndex() throws Exception {
    QuorumKvClient kv = fixture.kv();
    long index = 0;
    for (int i = 0; i < 20; i++) {
      index = kv.put("fetch/" + i, Values.text("v" + i)).index();
    }
    String leader = fixture.cluster().awaitLeader(Duration.ofSeconds(10));
    Path target = TestSupport.newTestDir("fetch-").resolve("copy");

    new LeaderCheckpointFetcher(fixture.cluster().config(), new MemberTls(fixture.cluster().config(), "n1"))
        .fetch(peerWithoutClientAddress(leader), index, target);

    assertThat(target.resolve(AdminClient.MANIFEST_FILE)).doesNotExist();
    assertThat(RocksKvStore.appliedIndexOf(target).getIndex()).isGreaterThanOrEqualTo(index);
  }

  @Test
  void findsALeaderMissingFromTheClusterFileByTheAddressItsConfigurationEntryCarries() throws Exception {
    String leader = fixture.cluster().awaitLeader(Duration.ofSeconds(10));
    long index = fixture.kv().put("fetch/joined", Values.text("v")).index();
    RaftPeer unlisted = PeerAddresses.peer("n9", "127.0.0.1:1", fixture.cluster().endpoint(leader));
    Path target = TestSupport.newTestDir("fetch-").resolve("copy");

    new LeaderCheckpointFetcher(fixture.cluster().config(), new MemberTls(fixture.cluster().config(), "n1"))
        .fetch(unlisted, index, target);

    assertThat(RocksKvStore.appliedIndexOf(target).getIndex()).isGreaterThanOrEqualTo(index);
  }

  private static RaftPeer peerWithoutClientAddress(String id) {
    return RaftPeer.newBuilder().setId(id).setAddress("127.0.0.1:1").build();
  }

  @Test
  void refusesAMemberOfAnotherClusterAndAnUnknownMember() throws Exception {
    ClusterConfig config = fixture.cluster().config();
    ClusterConfig renamed = new ClusterConfig("another-cluster", config.nodes(), config.limits(), config.raft(),
        config.log());
    String leader = fixture.cluster().awaitLeader(Duration.ofSeconds(10));
    Path dir = TestSupport.newTestDir("fetch-");

    assertThatThrownBy(() -> new LeaderCheckpointFetcher(renamed, new MemberTls(renamed, "n1")).fetch(peerWithoutClientAddress(leader), 0,
        dir.resolve("a")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("serves cluster " + config.clusterId());
    assertThatThrownBy(() -> new LeaderCheckpointFetcher(config, new MemberTls(config, "n1")).fetch(peerWithoutClientAddress("n9"), 0,
        dir.resolve("b")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("the client address of member n9 is unknown");
  }
}
