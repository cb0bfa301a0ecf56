package io.quorumkv.statemachine.snapshot;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.ratis.protocol.RaftPeer;

/**
 * Copies another member's state to this one when this member has fallen behind the leader's log (Ratis'
 * notification-mode snapshot install: the leader only says where its log starts, the follower fetches the
 * state itself). The state machine verifies what was fetched and installs it; the fetcher only moves
 * files, over a transport of its own choosing that keeps memory bounded whatever the state's size.
 */
@FunctionalInterface
public interface SnapshotFetcher {

  /**
   * Writes into {@code targetDir} a checkpoint of {@code source}'s store, as
   * {@code KvStateMachine.checkpointForBackup} produces it, holding at least every entry up to
   * {@code minIndex}. Called on a dedicated thread, one fetch at a time. It may take long (it should
   * report progress), but must fail rather than hang when {@code source} stops answering: the next
   * install cannot start before this one ends.
   *
   * @param source the member to copy from: the leader that asked for the install, as its configuration
   *     entry names it (a member that has just joined knows no other entry)
   * @param minIndex the checkpoint must hold the entries up to this index (the leader's log starts after it)
   * @param targetDir does not exist, its parent does; must end up holding the checkpoint's files only
   * @throws IOException if the copy fails; the caller deletes {@code targetDir} and waits for the leader
   *     to ask again
   */
  void fetch(RaftPeer source, long minIndex, Path targetDir) throws IOException;
}
