package io.quorumkv.client;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC channel per endpoint (plaintext, or TLS with {@link ClientTls}), created on first use and shut
 * down on {@link #close()}. The channels share one network thread of the pool's own, which also runs every
 * response callback (nothing in them may block). It is stopped at close: a JVM exiting while a thread
 * waits in native code (gRPC's shared event loop, idle in epoll) waits 300 ms for it, which was half of a
 * CLI command's time. Thread-safe.
 */
final class ChannelPool implements AutoCloseable {
  /**
   * A scan page may hold about 4 MiB of data plus framing, which is exactly gRPC's default inbound limit;
   * the headroom keeps full pages from failing with RESOURCE_EXHAUSTED.
   */
  private static final int MAX_INBOUND_MESSAGE_BYTES = 16 * 1024 * 1024;
  /**
   * While a call is open, ping the member after this much silence and drop the connection if the ping is
   * not answered in {@link #KEEPALIVE_TIMEOUT_SECONDS}: a member that hangs (paused, partitioned) then fails
   * long calls such as backups instead of stalling them forever. QuorumKV members permit pings this often.
   */
  private static final int KEEPALIVE_SECONDS = 10;
  private static final int KEEPALIVE_TIMEOUT_SECONDS = 10;

  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final ChannelCredentials credentials;
  // Native epoll where Netty has it (as gRPC's own event loop uses): cheaper per call than NIO.
  private static final boolean EPOLL = Epoll.isAvailable();
  private final EventLoopGroup network = new MultiThreadIoEventLoopGroup(1, runnable -> {
    Thread thread = new Thread(runnable, "quorumkv-client-network");
    thread.setDaemon(true);
    return thread;
  }, EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
  private volatile boolean closed;

  ChannelPool(Optional<ClientTls> tls) {
    this.credentials = tls.map(ClientTls::credentials).orElseGet(InsecureChannelCredentials::create);
  }

  /**
   * The channel to {@code endpoint} ("host:port").
   *
   * @throws IllegalStateException if the pool is closed
   */
  ManagedChannel channel(String endpoint) {
    if (closed) {
      throw new IllegalStateException("the client is closed");
    }
    return channels.computeIfAbsent(endpoint, this::open);
  }

  private ManagedChannel open(String endpoint) {
    return NettyChannelBuilder.forTarget(endpoint, credentials)
        .eventLoopGroup(network)
        // Responses are handled on the network thread: the client's callbacks only complete futures and
        // send retries, and a hand-off to gRPC's executor for each response cost more than the rest of the
        // call (docs/performance.md).
        .directExecutor()
        // The client retries by itself, with the same WriteId (RetryingCaller); gRPC's own retry layer only
        // added buffering and a second stream object per call.
        .disableRetry()
        .channelType(EPOLL ? EpollSocketChannel.class : NioSocketChannel.class)
        .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
        .keepAliveTime(KEEPALIVE_SECONDS, TimeUnit.SECONDS)
        .keepAliveTimeout(KEEPALIVE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .build();
  }

  /** Shuts every channel down, waiting briefly for in-flight calls; then cancels what is left. */
  @Override
  public void close() {
    closed = true;
    channels.values().forEach(ManagedChannel::shutdown);
    try {
      for (ManagedChannel channel : channels.values()) {
        if (!channel.awaitTermination(1, TimeUnit.SECONDS)) {
          channel.shutdownNow();
        }
      }
    } catch (InterruptedException e) {
      channels.values().forEach(ManagedChannel::shutdownNow);
      Thread.currentThread().interrupt();
    }
    network.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
  }
}
