package io.quorumkv.tests.perf;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The human-readable tables of one or more {@link SearchBench} JSON results, one table per section. */
final class SearchBenchReport {
  private SearchBenchReport() {}

  static String render(List<JsonNode> runs) {
    StringBuilder out = new StringBuilder();
    out.append("seeds: ");
    for (JsonNode r : runs) {
      out.append(r.path("label").asText()).append('=').append(r.path("seed").asText()).append(' ');
    }
    out.append('\n');
    for (JsonNode r : runs) {
      if (r.hasNonNull("failure")) {
        out.append("run ").append(r.path("label").asText()).append(" FAILED: ").append(r.path("failure").asText())
            .append('\n');
      }
      out.append("run ").append(r.path("label").asText()).append(": ").append(r.path("docs").asText()).append(" docs, ")
          .append(r.path("started_at").asText()).append(" .. ").append(r.path("finished_at").asText())
          .append(", loadavg at start ").append(r.path("loadavg_start").asText()).append(", at end ")
          .append(r.path("loadavg_end").asText()).append('\n');
      if (r.hasNonNull("index_spec")) {
        out.append("index ").append(r.path("label").asText()).append(": ").append(r.path("index_spec").asText())
            .append('\n');
      }
    }
    indexing(out, runs);
    queries(out, runs);
    memory(out, runs);
    restart(out, runs);
    checks(out, runs);
    return out.toString();
  }

  private static void indexing(StringBuilder out, List<JsonNode> runs) {
    Table t = new Table("1. Indexing: N docs, 1 doc per put, async writers in flight",
        "run", "docs", "bytes/doc", "writers", "put docs/s", "put p50 ms", "p99 ms", "max ms",
        "indexed everywhere s", "docs/s", "catch-up s", "CPU ms/doc leader", "followers", "bench",
        "other procs CPU s", "errors");
    for (JsonNode r : runs) {
      JsonNode l = r.path("load");
      if (l.isMissingNode()) {
        continue;
      }
      String leader = r.path("leader").asText();
      JsonNode cpu = l.path("cpu_ms_per_doc");
      StringBuilder followers = new StringBuilder();
      Iterator<Map.Entry<String, JsonNode>> it = cpu.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getKey().equals(leader) && !e.getKey().equals("bench")) {
          followers.append(followers.length() == 0 ? "" : " / ").append(num(e.getValue(), 2));
        }
      }
      t.row(r.path("label").asText(), fmt0(l.path("docs_written")), fmt0(l.path("doc_bytes_avg")),
          l.path("writers").asText(), fmt0(l.path("docs_per_s")), num(l.path("latency_ms").path("p50"), 1),
          num(l.path("latency_ms").path("p99"), 1), num(l.path("latency_ms").path("max"), 1),
          num(l.path("indexed_seconds"), 1), fmt0(l.path("indexed_docs_per_s")), num(l.path("catch_up_seconds"), 1),
          num(cpu.path(leader), 2), followers.toString(), num(cpu.path("bench"), 2),
          num(l.path("foreign_cpu_s"), 1) + " / " + num(l.path("wall_s_load_and_catch_up"), 0) + " s",
          errors(l.path("errors")));
    }
    out.append(t.render());
    out.append("   (indexed everywhere: seconds from the first put until ListIndexes on every member shows the index"
        + " READY with every document; 'none' has no index. CPU: user+system of each process over load + catch-up;"
        + " other procs: CPU-seconds used by processes other than the members and the bench in that wall time, i.e."
        + " interference on this 2-core machine.)\n");
  }

  private static void queries(StringBuilder out, List<JsonNode> runs) {
    Table t = new Table("2. Search latency: LINEARIZABLE, top_k 10, answered by the leader",
        "run", "kind", "clients", "queries", "q/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "mean hits",
        "zero-hit %", "leader CPU ms/q", "other procs CPU s", "errors");
    for (JsonNode r : runs) {
      for (JsonNode q : r.path("queries")) {
        JsonNode l = q.path("latency_ms");
        t.row(r.path("label").asText(), q.path("kind").asText(), q.path("clients").asText(), q.path("ok").asText(),
            num(q.path("qps"), 1), num(l.path("p50"), 2), num(l.path("p90"), 2), num(l.path("p99"), 2),
            num(l.path("max"), 2), num(q.path("mean_hits"), 1), num(q.path("zero_hit_pct"), 1),
            num(q.path("leader_cpu_ms_per_query"), 2), num(q.path("foreign_cpu_s"), 1), errors(q.path("errors")));
      }
    }
    out.append(t.render());
  }

  private static void memory(StringBuilder out, List<JsonNode> runs) {
    Table t = new Table("3. Memory (VmRSS, MiB) and data dir bytes (MiB) after loading + indexing",
        "run", "member", "role", "RSS before", "after load+index", "(anon / file)", "after queries", "peak (VmHWM)",
        "db/", "search/", "ratis/");
    for (JsonNode r : runs) {
      for (JsonNode m : r.path("memory")) {
        JsonNode d = m.path("disk_mb");
        t.row(r.path("label").asText(), m.path("id").asText(), m.path("role").asText(), num(m.path("rss_before_mb"), 0),
            num(m.path("rss_after_index_mb"), 0),
            num(m.path("rss_anon_after_index_mb"), 0) + " / " + num(m.path("rss_file_after_index_mb"), 0),
            num(m.path("rss_after_queries_mb"), 0), num(m.path("hwm_after_index_mb"), 0),
            num(d.path("db"), 1), num(d.path("search"), 1), num(d.path("ratis"), 1));
      }
    }
    out.append(t.render());
  }

  private static void restart(StringBuilder out, List<JsonNode> runs) {
    Table t = new Table("4. Restart of a follower after kill -9 (ms from process start)",
        "run", "member", "applied idx", "snapshot idx", "member's 'started in'", "answers ListIndexes",
        "all READY", "first search ok", "that search took", "built (log)", "model loaded before 1st semantic search",
        "RSS ready / after search");
    boolean any = false;
    for (JsonNode r : runs) {
      JsonNode x = r.path("restart");
      if (x.isMissingNode()) {
        continue;
      }
      any = true;
      StringBuilder built = new StringBuilder();
      for (JsonNode b : x.path("built")) {
        built.append(built.length() == 0 ? "" : "; ").append(b.path("index").asText()).append(' ')
            .append(b.path("documents").asText()).append(" docs in ").append(b.path("ms").asText()).append(" ms");
      }
      t.row(r.path("label").asText(), x.path("member").asText(), x.path("applied_index").asText(),
          x.path("snapshot_index").asText(), x.path("member_started_in_ms").asText("?"), x.path("serving_ms").asText("?"),
          x.path("all_ready_ms").asText("?"), x.path("search_ok_ms").asText("?"),
          num(x.path("first_search_ms"), 0) + " (" + x.path("first_search_kind").asText() + ", "
              + x.path("first_search_hits").asText() + " hits)",
          built.length() == 0 ? "none logged" : built.toString(),
          !x.has("model_loaded") ? "?" : x.path("model_loaded_before_first_semantic_search").asBoolean() ? "YES (wrong)"
              : x.path("model_loaded").asBoolean() ? "no (loaded by the search, " + x.path("model_load_ms").asText("?") + " ms)"
              : "no (never)",
          num(x.path("rss_ready_mb"), 0) + " / " + num(x.path("rss_after_search_mb"), 0));
    }
    if (any) {
      out.append(t.render());
      for (JsonNode r : runs) {
        JsonNode x = r.path("restart");
        JsonNode ev = x.path("log_events_ms");
        if (!x.isMissingNode() && ev.size() > 0) {
          out.append("   ").append(r.path("label").asText()).append(' ').append(x.path("member").asText())
              .append(" (ms after the process started; member log / bench):");
          Iterator<Map.Entry<String, JsonNode>> it = ev.fields();
          while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            out.append(' ').append(e.getKey()).append(' ').append(e.getValue().asText()).append(',');
          }
          out.append(" ListIndexes answered ").append(x.path("serving_ms").asText("?")).append(", all READY seen ")
              .append(x.path("all_ready_ms").asText("?")).append(", first search ok ").append(x.path("search_ok_ms").asText("?"))
              .append(", 2nd search took ").append(num(x.path("second_search_ms"), 1)).append(" ms; ListIndexes polls: ")
              .append(x.path("list_indexes_calls").asText("?")).append(", slowest ").append(x.path("list_indexes_call_max_ms").asText("?"))
              .append(" ms, ").append(x.path("list_indexes_calls_over_1s").asText("?")).append(" over 1 s; CPU until READY:")
              .append(" restarted member ").append(x.path("restarted_member_cpu_s").asText("?")).append(" s, other processes ")
              .append(x.path("foreign_cpu_s_until_ready").asText("?")).append(" s\n");
        }
        if (!x.isMissingNode() && x.has("failure")) {
          out.append("   restart failed: ").append(x.path("failure").asText()).append('\n');
        }
      }
    }
  }

  private static void checks(StringBuilder out, List<JsonNode> runs) {
    Table t = new Table("5. Checks: read-your-writes of searches, member logs since the run started",
        "run", "RYW misses", "member", "WARN", "ERROR", "stack lines", "JVM fatal", "embedding model loads",
        "most frequent WARN/ERROR (or the JVM's fatal line)");
    for (JsonNode r : runs) {
      JsonNode p = r.path("read_your_writes");
      String ryw = p.isMissingNode() ? "-" : p.path("misses").asText() + "/" + p.path("tries").asText()
          + (p.path("failures").asInt() > 0 ? " (" + p.path("failures").asText() + " failed)" : "");
      boolean first = true;
      for (JsonNode l : r.path("logs")) {
        String top = l.path("fatal").size() > 0 ? l.path("fatal").get(0).asText()
            : l.path("top").size() == 0 ? "" : l.path("top").get(0).path("count").asText() + "x "
            + l.path("top").get(0).path("line").asText();
        if (top.length() > 120) {
          top = top.substring(0, 120) + "...";
        }
        t.row(first ? r.path("label").asText() : "", first ? ryw : "", l.path("id").asText(), l.path("warn").asText(),
            l.path("error").asText(), l.path("stack_lines").asText(), Integer.toString(l.path("fatal").size()),
            Integer.toString(l.path("model_loads").size()), top);
        first = false;
      }
      if (first) {
        t.row(r.path("label").asText(), ryw, "-", "", "", "", "", "", "");
      }
    }
    out.append(t.render());
  }

  private static String errors(JsonNode errors) {
    if (errors == null || errors.isMissingNode() || errors.size() == 0) {
      return "0";
    }
    StringBuilder s = new StringBuilder();
    Iterator<Map.Entry<String, JsonNode>> it = errors.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      s.append(s.length() == 0 ? "" : ", ").append(e.getValue().path("count").asText()).append(' ').append(e.getKey());
    }
    return s.toString();
  }

  private static String num(JsonNode v, int digits) {
    if (v == null || v.isMissingNode() || v.isNull()) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%,." + digits + "f", v.asDouble());
  }

  private static String fmt0(JsonNode v) {
    return num(v, 0);
  }

  /** A plain-text table with a title; columns as wide as their widest cell. */
  static final class Table {
    private final String title;
    private final String[] header;
    private final List<String[]> rows = new ArrayList<>();

    Table(String title, String... header) {
      this.title = title;
      this.header = header;
    }

    void row(String... cells) {
      rows.add(cells);
    }

    String render() {
      int[] w = new int[header.length];
      for (int i = 0; i < header.length; i++) {
        w[i] = header[i].length();
      }
      for (String[] r : rows) {
        for (int i = 0; i < r.length && i < w.length; i++) {
          w[i] = Math.max(w[i], r[i] == null ? 0 : r[i].length());
        }
      }
      StringBuilder s = new StringBuilder("\n").append(title).append('\n');
      line(s, header, w);
      StringBuilder rule = new StringBuilder();
      for (int i = 0; i < w.length; i++) {
        rule.append(i == 0 ? "" : "-+-").append("-".repeat(w[i]));
      }
      s.append(rule).append('\n');
      for (String[] r : rows) {
        line(s, r, w);
      }
      if (rows.isEmpty()) {
        s.append("(none)\n");
      }
      return s.toString();
    }

    private static void line(StringBuilder s, String[] cells, int[] w) {
      for (int i = 0; i < w.length; i++) {
        String c = i < cells.length && cells[i] != null ? cells[i] : "";
        s.append(i == 0 ? "" : " | ");
        s.append(c).append(" ".repeat(w[i] - c.length()));
      }
      int end = s.length();
      while (end > 0 && s.charAt(end - 1) == ' ') {
        end--;
      }
      s.setLength(end);
      s.append('\n');
    }
  }
}
