package io.quorumkv.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "member",
    description = {
      "Lists and changes the cluster's members: member list|add|promote|remove.",
      "Changes go to the leader, one at a time; unsafe ones (losing quorum, fewer voters than",
      "membership.min-voters) are refused with the reason."
    },
    subcommands = {MemberListCommand.class, MemberAddCommand.class, MemberPromoteCommand.class,
        MemberRemoveCommand.class})
final class MemberCommand implements Runnable {
  @Spec CommandSpec spec;

  /** Without a subcommand: print the usage and fail, as for any usage error. */
  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing member command: list, add, promote or remove");
  }
}
