package io.quorumkv.cli;

import io.quorumkv.proto.v1.Member;
import io.quorumkv.proto.v1.Membership;
import io.quorumkv.proto.v1.Role;
import io.quorumkv.proto.v1.StatusResponse;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders a cluster status as a text table: a summary line, then one row per member with the leader
 * marked '*' and unreachable members showing why.
 */
final class StatusTable {
  private static final String[] HEADINGS = {
    "ID", "CLIENT ADDRESS", "ROLE", "TERM", "COMMIT", "APPLIED", "NOTE"
  };

  private StatusTable() {}

  static void print(StatusResponse status, PrintWriter out) {
    out.printf(
        "cluster %s, leader %s, term %d, answered by %s%n",
        status.getClusterId(),
        status.getLeaderId().isEmpty()
            ? "(none)"
            : status.getLeaderId() + " (" + status.getLeaderClientAddress() + ")",
        status.getTerm(),
        status.getHeader().getMemberId());
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADINGS);
    for (Member member : status.getMembersList()) {
      rows.add(row(member, member.getId().equals(status.getLeaderId())));
    }
    int[] widths = new int[HEADINGS.length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(i == row.length - 1 ? row[i] : String.format("%-" + (widths[i] + 2) + "s", row[i]));
      }
      out.println(line.toString().stripTrailing());
    }
  }

  private static String[] row(Member m, boolean leader) {
    String id = m.getId() + (leader ? "*" : "");
    if (!m.getReachable()) {
      return new String[] {
        id, m.getClientAddress(), "-", "-", "-", "-", "unreachable: " + m.getError()
      };
    }
    return new String[] {
      id,
      m.getClientAddress(),
      roleName(m),
      Long.toString(m.getTerm()),
      Long.toString(m.getCommitIndex()),
      Long.toString(m.getAppliedIndex()),
      m.getServing() ? "" : "not serving: " + String.join("; ", m.getNotServingReasonsList())
    };
  }

  /** A learner's role in Ratis is that of a follower; its membership says what it is. */
  private static String roleName(Member m) {
    Role role = m.getRole();
    if (role == Role.LISTENER || m.getMembership() == Membership.LEARNER) {
      return "learner";
    }
    return role == Role.ROLE_UNSPECIFIED || role == Role.UNRECOGNIZED ? "?" : role.name().toLowerCase();
  }
}
