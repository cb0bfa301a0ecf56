package io.quorumkv.chaos.workload;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.v1.IncrementRequest;
import io.quorumkv.proto.v1.WriteId;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ResendQueueTest {
  private static final long S = TimeUnit.SECONDS.toNanos(1);
  private final ResendQueue queue = new ResendQueue();

  private static RetainedIncrement increment(long sequence) {
    WriteId id = WriteId.newBuilder().setClientId(ByteString.copyFrom(new byte[16])).setSequence(sequence)
        .setLowestUnanswered(sequence).build();
    return new RetainedIncrement(sequence * 10, IncrementRequest.newBuilder()
        .setKey(ByteString.copyFromUtf8("c/0")).setDelta(1).setWriteId(id).build());
  }

  @Test
  void keepsLowestUnansweredAtTheOldestIncrementItMayStillResend() {
    assertThat(queue.lowestUnanswered(1)).isEqualTo(1);
    RetainedIncrement unknown = increment(2);
    queue.unknown(unknown, 0);
    queue.acknowledged(increment(3), 0);
    assertThat(queue.lowestUnanswered(4)).isEqualTo(2);
    queue.answered(unknown, S); // now acknowledged: still re-sent later, so still the lowest
    assertThat(queue.lowestUnanswered(4)).isEqualTo(2);
    queue.answered(unknown, 4 * S);
    queue.answered(unknown, 10 * S); // its re-sends are done: let go
    assertThat(queue.lowestUnanswered(5)).isEqualTo(3);
  }

  @Test
  void resendsUnknownIncrementsFirstAndBacksOffWhileUnanswered() {
    RetainedIncrement acked = increment(1);
    RetainedIncrement unknown = increment(2);
    queue.acknowledged(acked, 0);
    queue.unknown(unknown, 0);
    assertThat(queue.due(S / 4)).isEmpty();
    assertThat(queue.due(4 * S)).contains(unknown);
    queue.unanswered(unknown, 4 * S);
    queue.unanswered(unknown, 4 * S);
    assertThat(queue.due(4 * S + S / 2)).contains(acked); // the unknown one waits 1 s after its second miss
    assertThat(queue.due(5 * S)).contains(unknown);
  }

  @Test
  void resendsAnAcknowledgedIncrementASetNumberOfTimesThenLetsItGo() {
    RetainedIncrement acked = increment(1);
    queue.acknowledged(acked, 0);
    long now = 0;
    for (long delay : ResendQueue.ACKNOWLEDGED_RESEND_DELAYS_MILLIS) {
      assertThat(queue.due(now + TimeUnit.MILLISECONDS.toNanos(delay) - 1)).isEmpty();
      now += TimeUnit.MILLISECONDS.toNanos(delay);
      assertThat(queue.due(now)).contains(acked);
      queue.answered(acked, now);
    }
    assertThat(queue.size()).isZero();
  }

  @Test
  void boundsAcknowledgedIncrementsAndStopsNewWritesBehindAnOldUnknownOne() {
    for (int seq = 1; seq <= ResendQueue.MAX_ACKNOWLEDGED + 5; seq++) {
      queue.acknowledged(increment(seq), 0);
    }
    assertThat(queue.size()).isEqualTo(ResendQueue.MAX_ACKNOWLEDGED);
    assertThat(queue.lowestUnanswered(1_000)).isEqualTo(6);

    ResendQueue behind = new ResendQueue();
    behind.acknowledged(increment(1), 0);
    behind.unknown(increment(2), 0);
    assertThat(behind.makeRoomFor(1 + ResendQueue.MAX_SPREAD)).isTrue(); // lets the old acknowledged one go
    assertThat(behind.lowestUnanswered(1 + ResendQueue.MAX_SPREAD)).isEqualTo(2);
    assertThat(behind.makeRoomFor(2 + ResendQueue.MAX_SPREAD)).isFalse();
  }
}
