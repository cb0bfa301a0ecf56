package io.quorumkv.statemachine;

import io.quorumkv.proto.internal.Command;
import io.quorumkv.proto.internal.CommandResult;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
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
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/** A real one-member Ratis group running a {@link KvStateMachine}, with its data under one directory. */
final class SingleNodeRaft implements AutoCloseable {

  static final RaftGroupId GROUP_ID =
      RaftGroupId.valueOf(UUID.nameUUIDFromBytes("quorumkv-test".getBytes(StandardCharsets.UTF_8)));
  static final RaftPeerId PEER_ID = RaftPeerId.valueOf("n1");

  final KvStateMachine stateMachine;
  final RaftServer server;

  private SingleNodeRaft(KvStateMachine stateMachine, RaftServer server) {
    this.stateMachine = stateMachine;
    this.server = server;
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Starts (or restarts, on the same directory and port) the node and waits until it leads. */
  static SingleNodeRaft start(Path root, int port) throws Exception {
    return start(root, port, properties -> { });
  }

  /** {@link #start(Path, int)} with extra Ratis settings applied on top of the harness' own. */
  static SingleNodeRaft start(Path root, int port, Consumer<RaftProperties> settings) throws Exception {
    RaftPeer peer = RaftPeer.newBuilder().setId(PEER_ID).setAddress("127.0.0.1:" + port).build();
    RaftProperties properties = new RaftProperties();
    RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.GRPC);
    GrpcConfigKeys.Server.setPort(properties, port);
    RaftServerConfigKeys.setStorageDir(properties, List.of(root.resolve("ratis").toFile()));
    RaftServerConfigKeys.setRemovedGroupsDir(properties, root.resolve("removed-groups").toFile());
    settings.accept(properties);

    KvStateMachine stateMachine = new KvStateMachine(root.resolve("db"));
    RaftServer server = RaftServer.newBuilder()
        .setServerId(PEER_ID)
        .setGroup(RaftGroup.valueOf(GROUP_ID, peer))
        .setProperties(properties)
        .setStateMachine(stateMachine)
        .setOption(RaftStorage.StartupOption.RECOVER)
        .build();
    server.start();
    SingleNodeRaft node = new SingleNodeRaft(stateMachine, server);
    node.awaitLeaderReady();
    return node;
  }

  private void awaitLeaderReady() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!server.getDivision(GROUP_ID).getInfo().isLeaderReady()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no ready leader after 30 s");
      }
      Thread.sleep(20);
    }
  }

  RaftClientReply submit(ClientId clientId, long callId, Message message) throws Exception {
    return submitAsync(clientId, callId, message).get(30, TimeUnit.SECONDS);
  }

  CompletableFuture<RaftClientReply> submitAsync(ClientId clientId, long callId, Command command) throws IOException {
    return submitAsync(clientId, callId, Message.valueOf(UnsafeByteOperations.unsafeWrap(command.toByteArray())));
  }

  private CompletableFuture<RaftClientReply> submitAsync(ClientId clientId, long callId, Message message)
      throws IOException {
    RaftClientRequest request = RaftClientRequest.newBuilder()
        .setClientId(clientId)
        .setServerId(PEER_ID)
        .setGroupId(GROUP_ID)
        .setCallId(callId)
        .setMessage(message)
        .setType(RaftClientRequest.writeRequestType())
        .build();
    return server.submitClientRequestAsync(request);
  }

  RaftClientReply submit(ClientId clientId, long callId, Command command) throws Exception {
    return submitAsync(clientId, callId, command).get(30, TimeUnit.SECONDS);
  }

  static CommandResult result(RaftClientReply reply) throws com.google.protobuf.InvalidProtocolBufferException {
    if (!reply.isSuccess()) {
      throw new AssertionError("write failed", reply.getException());
    }
    return CommandResult.parseFrom(reply.getMessage().getContent().toByteArray());
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
