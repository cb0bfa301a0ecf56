package io.quorumkv.cli;

import io.quorumkv.proto.v1.Member;
import io.quorumkv.proto.v1.Membership;
import java.io.PrintWriter;
import java.util.List;

/** Renders a membership as a text table, one row per member: id, voter or learner, addresses. */
final class MemberTable {
  private MemberTable() {}

  static void print(List<Member> members, PrintWriter out) {
    int idWidth = Math.max(2, members.stream().mapToInt(m -> m.getId().length()).max().orElse(0));
    int raftWidth = Math.max(12, members.stream().mapToInt(m -> m.getRaftAddress().length()).max().orElse(0));
    String format = "%-" + (idWidth + 2) + "s%-12s%-" + (raftWidth + 2) + "s%s%n";
    out.printf(format, "ID", "MEMBERSHIP", "RAFT ADDRESS", "CLIENT ADDRESS");
    for (Member m : members) {
      out.printf(format, m.getId(), name(m.getMembership()), m.getRaftAddress(), m.getClientAddress());
    }
  }

  static void printJson(List<Member> members, PrintWriter out) {
    StringBuilder json = new StringBuilder("[");
    for (Member m : members) {
      json.append(json.length() > 1 ? "," : "").append("{\"id\":").append(Json.string(m.getId()))
          .append(",\"membership\":").append(Json.string(name(m.getMembership())))
          .append(",\"raft_address\":").append(Json.string(m.getRaftAddress()))
          .append(",\"client_address\":").append(Json.string(m.getClientAddress())).append('}');
    }
    out.println(json.append(']'));
  }

  static String name(Membership membership) {
    return switch (membership) {
      case VOTER -> "voter";
      case LEARNER -> "learner";
      default -> "?";
    };
  }
}
