package io.quorumkv.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.quorumkv.proto.v1.GetRequest;
import io.quorumkv.proto.v1.IncrementRequest;
import io.quorumkv.proto.v1.IncrementResponse;
import io.quorumkv.proto.v1.KVGrpc;
import io.quorumkv.proto.v1.WriteId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Many concurrent writes on a 3-member cluster share log entries (the leader coalesces them), yet each is
 * applied exactly once with its own result, also when its retry races it into the same or the next entry.
 */
class CoalescedWritesIT {
  private static final int CLIENTS = 4;
  private static final int WRITES_PER_CLIENT = 100;
  private static final long DELTA = 5;

  @Test
  void concurrentWritesShareEntriesAndEachIsAppliedOnce() throws Exception {
    try (MiniCluster cluster = MiniCluster.start(3)) {
      String leader = cluster.awaitLeader(Duration.ofSeconds(20));
      ManagedChannel channel = NettyChannelBuilder.forTarget(cluster.endpoint(leader)).usePlaintext().build();
      try {
        KVGrpc.KVFutureStub kv = KVGrpc.newFutureStub(channel);
        ByteString key = ByteString.copyFromUtf8("coalesced/counter");
        // Every write is sent twice at once: the original and a retry racing it.
        List<ListenableFuture<IncrementResponse>> originals = new ArrayList<>();
        List<ListenableFuture<IncrementResponse>> retries = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
          UUID client = UUID.randomUUID();
          for (long seq = 1; seq <= WRITES_PER_CLIENT; seq++) {
            // Nothing is answered yet: every write may open the session, and the window starts at 1.
            WriteId id = WriteId.newBuilder().setClientId(TestSupport.clientId(client)).setSequence(seq)
                .setLowestUnanswered(1).setNewSession(true).build();
            IncrementRequest request = IncrementRequest.newBuilder().setKey(key).setDelta(DELTA).setWriteId(id).build();
            originals.add(kv.withDeadlineAfter(30, TimeUnit.SECONDS).increment(request));
            retries.add(kv.withDeadlineAfter(30, TimeUnit.SECONDS).increment(request));
          }
        }
        List<Long> values = new ArrayList<>();
        Set<Long> entryIndexes = new TreeSet<>();
        for (int i = 0; i < originals.size(); i++) {
          IncrementResponse original = originals.get(i).get(30, TimeUnit.SECONDS);
          IncrementResponse retry = retries.get(i).get(30, TimeUnit.SECONDS);
          assertThat(retry.getValue()).as("write %d: the retry gets the original's result", i)
              .isEqualTo(original.getValue());
          assertThat(retry.getHeader().getAppliedIndex()).isEqualTo(original.getHeader().getAppliedIndex());
          values.add(original.getValue());
          entryIndexes.add(original.getHeader().getAppliedIndex());
        }
        int writes = CLIENTS * WRITES_PER_CLIENT;
        // Applied once each: the results are exactly the running sums 5, 10, ..., 5 * writes.
        assertThat(values.stream().sorted().collect(Collectors.toList()))
            .isEqualTo(LongStream.rangeClosed(1, writes).map(n -> n * DELTA).boxed().collect(Collectors.toList()));
        assertThat(KVGrpc.newBlockingStub(channel).get(GetRequest.newBuilder().setKey(key).build()).getKv()
            .getValue().getText()).isEqualTo(Long.toString(writes * DELTA));
        // Coalesced: far fewer entries than writes (with one write per entry there would be one each).
        assertThat(entryIndexes.size()).as("entries that applied the %d writes", writes).isLessThan(writes / 2);
        System.out.println("CoalescedWritesIT: " + 2 * writes + " requests (" + writes + " writes) applied in "
            + entryIndexes.size() + " entries");
      } finally {
        channel.shutdownNow();
      }
    }
  }
}
