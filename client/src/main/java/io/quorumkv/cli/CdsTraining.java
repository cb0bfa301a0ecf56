package io.quorumkv.cli;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.quorumkv.proto.v1.GetRequest;
import io.quorumkv.proto.v1.GetResponse;
import io.quorumkv.proto.v1.KVGrpc;
import io.quorumkv.proto.v1.KeyValue;
import io.quorumkv.proto.v1.Value;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The run the {@code quorumkv} launcher records the CLI's class-data sharing archive from
 * ({@code -XX:ArchiveClassesAtExit}): {@code quorumkv get} against a throwaway KV server in this JVM on a
 * loopback port, so that the archive holds the classes of a call that succeeds (connection set-up,
 * HTTP/2 framing, the response's parsing and printing), not only those of a failed connect. Not a
 * command of the CLI, and nothing in it is ever served to a user.
 */
public final class CdsTraining {
  private CdsTraining() {}

  public static void main(String[] args) throws Exception {
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .addService(new FoundEverything())
        .build()
        .start();
    try {
      String[] get = {"--endpoints", "127.0.0.1:" + server.getPort(), "--timeout", "5", "get", "cds-training"};
      QuorumKvCli.commandLine(new ByteArrayInputStream(new byte[0]), get).execute(get);
    } finally {
      server.shutdownNow();
    }
  }

  /** Answers every Get with a text value. */
  private static final class FoundEverything extends KVGrpc.KVImplBase {
    @Override
    public void get(GetRequest request, StreamObserver<GetResponse> response) {
      response.onNext(GetResponse.newBuilder()
          .setFound(true)
          .setKv(KeyValue.newBuilder().setKey(request.getKey()).setValue(Value.newBuilder().setText("value"))
              .setCreateIndex(1).setModIndex(1).setVersion(1))
          .build());
      response.onCompleted();
    }
  }
}
