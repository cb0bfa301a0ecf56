package io.quorumkv.statemachine;

import io.quorumkv.proto.internal.Command;
import io.quorumkv.statemachine.snapshot.SnapshotFetcher;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.TimeDuration;

/**
 * A real Ratis group of a few members in this JVM (gRPC on loopback), each running a
 * {@link KvStateMachine} with its data under {@code <root>/<id>/} ({@code ratis/} and {@code db/}).
 * Members can be stopped and started again on the same directory and port.
 */
final class LocalRaftCluster implements AutoCloseable {

  private final Path root;
  private final Consumer<RaftProperties> settings;
  private final RaftGroup group;
  private final Map<String, RaftServer> running = new LinkedHashMap<>();
  private final Map<String, Integer> fetches = new ConcurrentHashMap<>();
  private boolean fetchedInstalls;

  private LocalRaftCluster(Path root, Consumer<RaftProperties> settings, RaftGroup group) {
    this.root = root;
    this.settings = settings;
    this.group = group;
  }

  /** Creates a group of {@code size} members named n1..nN; none is started yet. */
  static LocalRaftCluster create(Path root, int size, Consumer<RaftProperties> settings) throws IOException {
    List<RaftPeer> peers = new ArrayList<>();
    for (int i = 1; i <= size; i++) {
      peers.add(RaftPeer.newBuilder().setId("n" + i).setAddress("127.0.0.1:" + SingleNodeRaft.freePort()).build());
    }
    return new LocalRaftCluster(root, settings, RaftGroup.valueOf(SingleNodeRaft.GROUP_ID, peers));
  }

  /**
   * Switches to Ratis' notification-mode installs for members started from now on: a member behind the
   * leader's log fetches a backup checkpoint of the leader's state machine (in this JVM).
   */
  LocalRaftCluster withFetchedInstalls() {
    fetchedInstalls = true;
    return this;
  }

  /** How many snapshots member {@code id} fetched from another member. */
  int fetchCount(String id) {
    return fetches.getOrDefault(id, 0);
  }

  private SnapshotFetcher fetcherFor(String id) {
    return (source, minIndex, targetDir) -> {
      KvStateMachine leader = stateMachine(source.getId().toString());
      leader.awaitApplied(minIndex).join();
      leader.checkpointForBackup(targetDir);
      fetches.merge(id, 1, Integer::sum);
    };
  }

  List<String> ids() {
    return group.getPeers().stream().map(peer -> peer.getId().toString()).toList();
  }

  Path dataDir(String id) {
    return root.resolve(id);
  }

  void startAll() throws IOException {
    for (String id : ids()) {
      start(id);
    }
  }

  void start(String id) throws IOException {
    RaftPeer peer = group.getPeer(RaftPeerId.valueOf(id));
    RaftProperties properties = new RaftProperties();
    RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.GRPC);
    GrpcConfigKeys.Server.setPort(properties, Integer.parseInt(peer.getAddress().split(":")[1]));
    RaftServerConfigKeys.setStorageDir(properties, List.of(dataDir(id).resolve("ratis").toFile()));
    RaftServerConfigKeys.setRemovedGroupsDir(properties, dataDir(id).resolve("removed-groups").toFile());
    // Three servers share two cores here: the 150-300 ms default makes elections flap under load.
    RaftServerConfigKeys.Rpc.setTimeoutMin(properties, TimeDuration.valueOf(400, TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.Rpc.setTimeoutMax(properties, TimeDuration.valueOf(800, TimeUnit.MILLISECONDS));
    // An install the leader starts while the follower is down blocks its appender for this timeout times
    // install_snapshot.request.element-limit (8): 24 s with the 3 s default.
    GrpcConfigKeys.Server.setInstallSnapshotRequestTimeout(
        properties, TimeDuration.valueOf(500, TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(properties, !fetchedInstalls);
    settings.accept(properties);
    RaftServer server = RaftServer.newBuilder()
        .setServerId(peer.getId())
        .setGroup(group)
        .setProperties(properties)
        .setStateMachine(new KvStateMachine(dataDir(id).resolve("db"), fetchedInstalls ? fetcherFor(id) : null))
        .setOption(RaftStorage.StartupOption.RECOVER)
        .build();
    server.start();
    running.put(id, server);
  }

  void stop(String id) throws IOException {
    running.remove(id).close();
  }

  RaftServer.Division division(String id) throws IOException {
    return running.get(id).getDivision(group.getGroupId());
  }

  KvStateMachine stateMachine(String id) throws IOException {
    return (KvStateMachine) division(id).getStateMachine();
  }

  /** The running member that is the ready leader, waiting up to 30 s for one. */
  String awaitLeader() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      for (String id : running.keySet()) {
        if (division(id).getInfo().isLeaderReady()) {
          return id;
        }
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("no ready leader after 30 s");
  }

  /** Submits every command to the current leader at once and waits for all replies; returns the last. */
  RaftClientReply submitAll(ClientId client, long firstCallId, List<Command> commands) throws Exception {
    String leader = awaitLeader();
    List<CompletableFuture<RaftClientReply>> replies = new ArrayList<>();
    for (int i = 0; i < commands.size(); i++) {
      RaftClientRequest request = RaftClientRequest.newBuilder()
          .setClientId(client)
          .setServerId(RaftPeerId.valueOf(leader))
          .setGroupId(group.getGroupId())
          .setCallId(firstCallId + i)
          .setMessage(Message.valueOf(UnsafeByteOperations.unsafeWrap(commands.get(i).toByteArray())))
          .setType(RaftClientRequest.writeRequestType())
          .build();
      replies.add(running.get(leader).submitClientRequestAsync(request));
    }
    RaftClientReply last = null;
    for (CompletableFuture<RaftClientReply> reply : replies) {
      last = reply.get(60, TimeUnit.SECONDS);
      SingleNodeRaft.result(last);
    }
    return last;
  }

  @Override
  public void close() throws IOException {
    for (String id : new ArrayList<>(running.keySet())) {
      stop(id);
    }
  }
}
