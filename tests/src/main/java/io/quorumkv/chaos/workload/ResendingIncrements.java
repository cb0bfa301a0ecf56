package io.quorumkv.chaos.workload;

import com.google.protobuf.ByteString;
import io.quorumkv.chaos.history.OpType;
import io.quorumkv.chaos.history.Outcome;
import io.quorumkv.chaos.history.Recorder;
import io.quorumkv.chaos.history.Resend;
import io.quorumkv.chaos.history.WriteIdentity;
import io.quorumkv.proto.v1.IncrementRequest;
import io.quorumkv.proto.v1.WriteId;
import java.time.Duration;
import java.util.Optional;

/**
 * One client's increments in resend mode, sent through the raw stubs ({@link IncrementSender}) with
 * WriteIds it numbers itself as common.proto asks: a random 16-byte client id, sequences 1, 2, ...,
 * {@code new_session} until a write was answered OK, and {@code lowest_unanswered} = the lowest sequence it
 * may still re-send ({@link ResendQueue#lowestUnanswered}). Each increment is recorded as an {@link
 * io.quorumkv.chaos.history.Operation} with its WriteId:
 * <ul>
 *   <li>answered OK: ok, with the value and applied index; kept to be re-sent a few times;</li>
 *   <li>no answer, and some attempt may have been ordered: unknown; kept and re-sent until answered;</li>
 *   <li>refused before it could be ordered, by every attempt: failed; never re-sent (its sequence is
 *       skipped), so it is certainly never applied.</li>
 * </ul>
 * Every re-send sends the original request unchanged and is recorded as a {@link Resend}. Not thread-safe:
 * the client's own thread calls every method.
 */
final class ResendingIncrements implements AutoCloseable {
  /** Time one re-send may take; shorter than a first send so a worker is not held up long during outages. */
  static final Duration RESEND_TIMEOUT = Duration.ofSeconds(3);

  private final int process;
  private final ByteString clientId;
  private final IncrementSender sender;
  private final Recorder recorder;
  private final Duration sendTimeout;
  private final ResendQueue queue = new ResendQueue();
  private long lastSequence;
  private boolean answeredOnce;

  /**
   * @param process the client's process id in the history
   * @param clientId the client id of its WriteIds, 16 bytes
   * @param sender sends through the raw stubs
   * @param recorder records operations and re-sends
   * @param sendTimeout time a first send may take (the workload's overall timeout)
   */
  ResendingIncrements(int process, byte[] clientId, IncrementSender sender, Recorder recorder, Duration sendTimeout) {
    if (clientId.length != 16) {
      throw new IllegalArgumentException("a client id has 16 bytes");
    }
    this.process = process;
    this.clientId = ByteString.copyFrom(clientId);
    this.sender = sender;
    this.recorder = recorder;
    this.sendTimeout = sendTimeout;
  }

  /**
   * Sends a new increment of {@code key} by {@code delta} and records it; does nothing if an unknown
   * increment far behind is still unanswered (see {@link ResendQueue#MAX_SPREAD}).
   */
  void increment(String key, long delta) {
    long sequence = lastSequence + 1;
    if (!queue.makeRoomFor(sequence)) {
      return;
    }
    lastSequence = sequence;
    WriteId id = WriteId.newBuilder().setClientId(clientId).setSequence(sequence)
        .setLowestUnanswered(queue.lowestUnanswered(sequence)).setNewSession(!answeredOnce).build();
    IncrementRequest request = IncrementRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).setDelta(delta)
        .setWriteId(id).build();
    Recorder.Pending p = recorder.invoke(process, OpType.INCR, key, null, delta,
        WriteIdentity.of(clientId.toByteArray(), sequence));
    RetainedIncrement retained = new RetainedIncrement(p.id(), request);
    IncrementReply reply = sender.send(request, sendTimeout);
    if (reply instanceof IncrementReply.Applied a) {
      answeredOnce = true;
      p.ok(Long.toString(a.value()), a.index(), a.member());
      queue.acknowledged(retained, recorder.now());
      return;
    }
    IncrementReply.Failed failed = (IncrementReply.Failed) reply;
    if (!failed.mayHaveApplied()) {
      p.fail(failed.description(), failed.member());
    } else {
      p.unknown(failed.description(), failed.member());
      if (failed instanceof IncrementReply.NoAnswer) {
        queue.unknown(retained, recorder.now());
      }
      // else: a refusal cannot change on a re-send, so the outcome stays unknown for good (and the
      // exactly-once check reports it)
    }
  }

  /** Re-sends the increment most overdue for it, if any is due; returns whether it re-sent one. */
  boolean resendDue() {
    Optional<RetainedIncrement> due = queue.due(recorder.now());
    due.ifPresent(r -> resend(r, false));
    return due.isPresent();
  }

  /**
   * The resolution phase, on a healed cluster after the workload stopped: re-sends every increment whose
   * outcome is still unknown until it is answered or {@code deadlineNanos} passes, then every acknowledged
   * increment still kept once more.
   *
   * @return how many unknown increments got their answer now
   */
  int resolve(long deadlineNanos) {
    int resolved = 0;
    for (RetainedIncrement r : queue.unknown()) {
      while (!r.acknowledged && queue.unknown().contains(r) && recorder.now() < deadlineNanos) {
        resend(r, true);
      }
      if (r.acknowledged) {
        resolved++;
      }
    }
    for (RetainedIncrement r : queue.acknowledged()) {
      if (recorder.now() < deadlineNanos) {
        resend(r, true);
      }
    }
    return resolved;
  }

  /** Increments whose outcome is still unknown. */
  int unknownCount() {
    return queue.unknown().size();
  }

  private void resend(RetainedIncrement r, boolean afterRun) {
    long invoked = recorder.now();
    IncrementReply reply = sender.send(r.request, RESEND_TIMEOUT);
    long completed = recorder.now();
    String key = r.request.getKey().toStringUtf8();
    long delta = r.request.getDelta();
    Resend record;
    if (reply instanceof IncrementReply.Applied a) {
      answeredOnce = true;
      queue.answered(r, completed);
      record = new Resend(r.operationId, process, key, delta, r.writeId, invoked, completed, Outcome.OK,
          Long.toString(a.value()), a.index(), a.member(), null, null, afterRun);
    } else {
      IncrementReply.Failed f = (IncrementReply.Failed) reply;
      boolean refused = f instanceof IncrementReply.Refused;
      if (refused) {
        queue.refused(r);
      } else {
        queue.unanswered(r, completed);
      }
      record = new Resend(r.operationId, process, key, delta, r.writeId, invoked, completed,
          refused ? Outcome.FAIL : Outcome.UNKNOWN, null, 0, f.member(), f.errorCode(), f.description(), afterRun);
    }
    recorder.resent(record);
  }

  @Override
  public void close() {
    sender.close();
  }
}
