package io.quorumkv.server.raft;

import io.quorumkv.proto.internal.Command;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Replicates client writes as Raft log entries and completes with what applying them produced. */
public interface WriteProposer {

  /** One write (op and write id set) as an entry of its own. */
  CompletableFuture<WriteOutcome> write(Command.Builder write);

  /** Several writes as one coalesced entry; their outcomes in the same order. */
  CompletableFuture<List<WriteOutcome>> writeCoalesced(List<Command> writes);
}
