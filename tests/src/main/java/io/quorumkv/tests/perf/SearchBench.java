package io.quorumkv.tests.perf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.quorumkv.bench.LatencyHistogram;
import io.quorumkv.bench.ProcCpu;
import io.quorumkv.client.IndexSpec;
import io.quorumkv.client.QuorumKvClient;
import io.quorumkv.client.QuorumKvException;
import io.quorumkv.client.SearchFilter;
import io.quorumkv.client.SearchPage;
import io.quorumkv.client.SearchQuery;
import io.quorumkv.client.Values;
import io.quorumkv.proto.v1.ListIndexesRequest;
import io.quorumkv.proto.v1.ListIndexesResponse;
import io.quorumkv.proto.v1.Member;
import io.quorumkv.proto.v1.SearchGrpc;
import io.quorumkv.proto.v1.SearchRequest;
import io.quorumkv.proto.v1.SearchResponse;
import io.quorumkv.proto.v1.StatusResponse;
import io.quorumkv.tests.perf.MemberProbe.LogLine;
import io.quorumkv.tests.perf.MemberProbe.Node;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Search benchmark against a running cluster (see tests/perf/search-bench.sh, which starts a fresh local
 * cluster per configuration and runs this once per configuration): for one index configuration it
 * <ol>
 *   <li>creates the index (none, text+keyword+numeric, vector, or semantic+text) on an empty prefix and
 *       loads N seeded JSON documents with 64 concurrent asynchronous single-document puts, reporting put
 *       throughput and latency, the time until every member's index holds them all, and the members' CPU;
 *   <li>measures search latency (LINEARIZABLE, through the Java client, answered by the leader) with 1 and
 *       with 8 concurrent clients for the kinds the index supports;
 *   <li>reports each member's RSS before loading, after loading and indexing, and after the queries, and
 *       the bytes of its data dir's db/, search/ and ratis/;
 *   <li>checks read-your-writes of searches (a LINEARIZABLE search right after the put it must see);
 *   <li>optionally kills a follower with SIGKILL, starts it again with the exact command, environment,
 *       working directory and log file it ran with, and measures how long until ListIndexes on it shows
 *       every index READY and a search of the index's kind succeeds on it; reads its log for the build
 *       times and checks that it did not load the embedding model before the first semantic search.
 * </ol>
 * Prints one table per section (or JSON with --json); {@code --summarize FILE...} prints the tables of
 * several runs' JSON side by side.
 */
@Command(name = "search-bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Indexing throughput, search latency, memory and restart time of QuorumKV search.")
public final class SearchBench implements Callable<Integer> {

  enum Kind { none, text, vector, semantic }

  @Option(names = "--endpoints", defaultValue = "127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003",
      description = "Client endpoints of the members (default: ${DEFAULT-VALUE}).")
  String endpoints;

  @Option(names = "--index", defaultValue = "text",
      description = "Index configuration: none, text (title/body full text + category keyword + price numeric),"
          + " vector (HNSW over the 384-float 'embedding'), semantic (body embedded by the server + title/body"
          + " full text, for hybrid). Default: ${DEFAULT-VALUE}.")
  Kind kind;

  @Option(names = "--docs", defaultValue = "10000", description = "Documents for none/text/vector (default: ${DEFAULT-VALUE}).")
  long docs;

  @Option(names = "--semantic-docs", defaultValue = "-1",
      description = "Documents for semantic (default: as --docs). The leader embeds each (~5 ms CPU).")
  long semanticDocs;

  @Option(names = "--prefix", description = "Key prefix (default: '<index>/').")
  String prefix;

  @Option(names = "--writers", defaultValue = "64", description = "Puts in flight (default: ${DEFAULT-VALUE}).")
  int writers;

  @Option(names = "--connections", defaultValue = "4",
      description = "Client instances the writers share round-robin (default: ${DEFAULT-VALUE}).")
  int connections;

  @Option(names = "--queries", defaultValue = "500",
      description = "Measured queries per kind and client count (default: ${DEFAULT-VALUE}).")
  int queries;

  @Option(names = "--warmup-queries", defaultValue = "50",
      description = "Unmeasured queries per kind first (default: ${DEFAULT-VALUE}).")
  int warmupQueries;

  @Option(names = "--concurrency", defaultValue = "1,8", split = ",",
      description = "Concurrent query clients to measure (default: ${DEFAULT-VALUE}).")
  List<Integer> concurrency;

  @Option(names = "--settle-seconds", defaultValue = "120",
      description = "Before the queries, wait at most this long for the machine to go quiet (merges and commits"
          + " that follow a load); 0: do not wait (default: ${DEFAULT-VALUE}).")
  int settleSeconds;

  @Option(names = "--merge-wait-seconds", defaultValue = "900",
      description = "Before the queries on an index with vectors, wait at most this long for every member to merge"
          + " it into one segment (members do once it is idle for 30 s); 0: do not wait (default: ${DEFAULT-VALUE}).")
  long mergeWaitSeconds;

  @Option(names = "--top-k", defaultValue = "10", description = "Hits per search (default: ${DEFAULT-VALUE}).")
  int topK;

  @Option(names = "--member-pids", split = ",", description = "The members' pids, in --endpoints order.")
  List<Long> memberPids = new ArrayList<>();

  @Option(names = "--data-dirs", split = ",", description = "The members' data dirs, in --endpoints order.")
  List<Path> dataDirs = new ArrayList<>();

  @Option(names = "--restart", description = "Kill -9 a follower after the queries, start it again, time its recovery.")
  boolean restart;

  @Option(names = "--restart-only",
      description = "Only the restart test, on a cluster that already holds the index (--index names it): no load, no queries.")
  boolean restartOnly;

  @Option(names = "--keep-restarted", description = "Leave the restarted member running (default: stop it at the end).")
  boolean keepRestarted;

  @Option(names = "--poll-ms", defaultValue = "200",
      description = "ListIndexes poll interval while a member recovers (default: ${DEFAULT-VALUE}).")
  long pollMs;

  @Option(names = "--probes", defaultValue = "50", description = "Read-your-writes probes (default: ${DEFAULT-VALUE}).")
  int probes;

  @Option(names = "--index-wait", defaultValue = "3600",
      description = "Seconds to wait for every member's index to hold the documents (default: ${DEFAULT-VALUE}).")
  long indexWaitSeconds;

  @Option(names = "--timeout", defaultValue = "30", description = "Overall timeout per request, s (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  @Option(names = "--progress-every", defaultValue = "2", description = "Seconds between progress lines (default: ${DEFAULT-VALUE}).")
  long progressEverySeconds;

  @Option(names = "--seed", description = "Seeds documents and queries (default: random, printed).")
  Long seed;

  @Option(names = "--label", description = "A name for this run in tables (default: the index kind).")
  String label;

  @Option(names = "--json", description = "Print one JSON object instead of the tables.")
  boolean json;

  @Option(names = "--json-file", description = "Also write the JSON result to this file.")
  Path jsonFile;

  @Option(names = "--summarize", description = "Print the tables of the JSON results given as parameters; measure nothing.")
  boolean summarize;

  @Parameters(arity = "0..*", description = "With --summarize: JSON result files.")
  List<Path> files = new ArrayList<>();

  private static final long MERGE_START_GRACE_SECONDS = 45;
  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final Pattern BUILT = Pattern.compile("index (\\S+): built, (\\d+) documents in (\\d+) ms");
  private static final Pattern STARTED = Pattern.compile("started in (\\d+) ms at applied index (\\d+)");
  private static final Pattern MODEL = Pattern.compile("Loaded embedding model \\S+ in (\\d+) ms");
  private static final String MODEL_LINE = "Loaded embedding model";
  private static final Pattern POSITION = Pattern.compile("did not reach index (\\d+) .*they are at (\\d+)");

  private final ObjectNode result = MAPPER.createObjectNode();
  private SearchCorpus corpus;
  private List<Node> members = new ArrayList<>();
  private String leaderId;
  private String indexName;
  private long n;
  private final Map<String, Long> logStart = new HashMap<>();

  public static void main(String[] args) {
    System.exit(new CommandLine(new SearchBench()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (summarize) {
      List<JsonNode> runs = new ArrayList<>();
      for (Path f : files) {
        try {
          runs.add(MAPPER.readTree(f.toFile()));
        } catch (IOException e) {
          System.err.println("search-bench: cannot read " + f + ": " + e.getMessage());
        }
      }
      System.out.print(SearchBenchReport.render(runs));
      return runs.isEmpty() ? 5 : 0;
    }
    if (seed == null) {
      seed = new SplittableRandom().nextLong() & 0xFFFFFFFFL;
    }
    n = kind == Kind.semantic && semanticDocs >= 0 ? semanticDocs : docs;
    if (prefix == null) {
      prefix = kind.name() + "/";
    }
    indexName = "bench-" + kind.name();
    corpus = new SearchCorpus(seed);
    progress("seed %d, index %s, %,d documents under '%s'", seed, kind, n, prefix);
    result.put("label", label == null ? kind.name() : label);
    result.put("seed", seed);
    result.put("index_kind", kind.name());
    result.put("prefix", prefix);
    result.put("docs", n);
    result.put("endpoints", endpoints);
    result.put("started_at", java.time.Instant.now().toString());
    result.put("loadavg_start", loadavg());
    List<String> endpointList = List.of(endpoints.split(","));
    int exit = 0;
    try (QuorumKvClient admin = client(endpointList)) {
      StatusResponse status = awaitLeader(admin);
      leaderId = status.getLeaderId();
      discoverMembers(endpointList, status);
      result.put("leader", leaderId);
      ArrayNode ms = result.putArray("members");
      for (Node m : members) {
        ObjectNode o = ms.addObject();
        o.put("id", m.id());
        o.put("endpoint", m.endpoint());
        o.put("pid", m.pid());
        o.put("data_dir", m.dataDir() == null ? null : m.dataDir().toString());
        o.put("log", m.log() == null ? null : m.log().toString());
        o.put("role", m.id().equals(leaderId) ? "leader" : "follower");
        logStart.put(m.id(), MemberProbe.fileSize(m.log()));
      }
      if (restartOnly) {
        result.put("restart_only", true);
        restartFollower(admin);
        logReport();
        return finish(exit);
      }
      Map<String, Double> rssBefore = rss();
      Map<String, Map<String, Long>> diskBefore = disk();
      Optional<IndexSpec> spec = spec();
      if (spec.isPresent()) {
        admin.createIndex(spec.get());
        result.put("index_spec", spec.get().toString());
        awaitIndexed(0, "index created", null);
      }
      Map<String, Long> cpu0 = cpuTicks();
      load(admin);
      Map<String, Long> cpu1 = cpuTicks();
      if (spec.isPresent()) {
        awaitIndexed(result.get("load").get("docs_written").asLong(), "indexing", (ObjectNode) result.get("load"));
      }
      Map<String, Long> cpu2 = cpuTicks();
      cpuReport(cpu0, cpu1, cpu2);
      Map<String, Double> rssIndexed = rss();
      Map<String, Double> hwmIndexed = hwm();
      Map<String, Double> anonIndexed = statusMb("RssAnon");
      Map<String, Double> fileIndexed = statusMb("RssFile");
      Map<String, Map<String, Long>> diskIndexed = disk();
      if (spec.isPresent()) {
        if (kind == Kind.vector || kind == Kind.semantic) {
          awaitMerged();
        }
        awaitQuietMachine();
        runQueries(endpointList);
      }
      Map<String, Double> rssQueried = rss();
      memoryReport(rssBefore, rssIndexed, hwmIndexed, rssQueried, diskBefore, diskIndexed);
      for (com.fasterxml.jackson.databind.JsonNode mem : result.get("memory")) {
        String id = mem.get("id").asText();
        ((ObjectNode) mem).put("rss_anon_after_index_mb", round(anonIndexed.get(id), 1));
        ((ObjectNode) mem).put("rss_file_after_index_mb", round(fileIndexed.get(id), 1));
      }
      if (spec.isPresent() && probes > 0) {
        probe(admin);
      }
      if (restart) {
        {
          try {
            restartFollower(admin);
          } catch (Exception e) {
            ObjectNode r = result.has("restart") ? (ObjectNode) result.get("restart") : result.putObject("restart");
            r.put("failure", e.toString());
            progress("restart FAILED: %s", e);
            e.printStackTrace();
            exit = 5;
          }
        }
      }
      logReport();
    } catch (Exception e) {
      result.put("failure", e.toString());
      progress("FAILED: %s", e);
      e.printStackTrace();
      exit = 5;
    }
    return finish(exit);
  }

  private int finish(int exit) throws IOException {
    result.put("finished_at", java.time.Instant.now().toString());
    result.put("loadavg_end", loadavg());
    String text = MAPPER.writeValueAsString(result);
    if (jsonFile != null) {
      Files.writeString(jsonFile, text);
    }
    if (json) {
      System.out.println(text);
    } else {
      System.out.print(SearchBenchReport.render(List.of(result)));
    }
    return exit;
  }

  // ---------------------------------------------------------------------------------------------- setup

  private QuorumKvClient client(List<String> eps) {
    return QuorumKvClient.builder().endpoints(eps).overallTimeout(Duration.ofSeconds(timeoutSeconds)).build();
  }

  private StatusResponse awaitLeader(QuorumKvClient admin) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        StatusResponse s = admin.clusterStatus();
        if (!s.getLeaderId().isEmpty()) {
          return s;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("no leader within 60 s", last);
  }

  private void discoverMembers(List<String> endpointList, StatusResponse status) {
    Map<String, String> idByEndpoint = new HashMap<>();
    for (Member m : status.getMembersList()) {
      idByEndpoint.put(m.getClientAddress(), m.getId());
    }
    for (int i = 0; i < endpointList.size(); i++) {
      String ep = endpointList.get(i).trim();
      String id = idByEndpoint.getOrDefault(ep, "m" + (i + 1));
      Long pid = i < memberPids.size() ? memberPids.get(i) : null;
      Path dir = i < dataDirs.size() ? dataDirs.get(i).toAbsolutePath() : null;
      Path log = pid != null ? MemberProbe.stdoutFile(pid) : null;
      if (log == null && dir != null && Files.isRegularFile(dir.resolve("node.log"))) {
        log = dir.resolve("node.log");
      }
      members.add(new Node(id, ep, pid, dir, log));
    }
  }

  private Optional<IndexSpec> spec() {
    IndexSpec.Builder b = IndexSpec.builder(indexName).keyPrefix(prefix);
    switch (kind) {
      case none:
        return Optional.empty();
      case text:
        b.textFields("title", "body").keywordFields("category").numericFields("price");
        break;
      case vector:
        b.vector("embedding", SearchCorpus.DIMENSION, IndexSpec.VectorMetric.COSINE);
        break;
      case semantic:
        b.textFields("title", "body").semantic(IndexSpec.SemanticField.of("body"));
        break;
      default:
        throw new IllegalStateException();
    }
    return Optional.of(b.build());
  }

  private String key(long i) {
    return String.format(Locale.ROOT, "%s%08d", prefix, i);
  }

  // ---------------------------------------------------------------------------------------------- load

  private void load(QuorumKvClient admin) throws InterruptedException {
    List<QuorumKvClient> clients = new ArrayList<>();
    for (int c = 0; c < Math.max(1, Math.min(connections, writers)); c++) {
      clients.add(client(List.of(endpoints.split(","))));
    }
    LatencyHistogram latency = new LatencyHistogram();
    AtomicLong next = new AtomicLong();
    LongAdder ok = new LongAdder();
    LongAdder bytes = new LongAdder();
    Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    Map<String, String> errorExamples = new ConcurrentHashMap<>();
    CountDownLatch finished = new CountDownLatch(writers);
    ExecutorService callbacks = Executors.newFixedThreadPool(2, daemon("bench-load"));
    ArrayNode samples = MAPPER.createArrayNode();
    long start = System.nanoTime();
    Runnable[] send = new Runnable[1];
    send[0] = () -> {
      long i = next.getAndIncrement();
      if (i >= n) {
        finished.countDown();
        return;
      }
      String doc = SearchCorpus.json(corpus.doc(i, true));
      bytes.add(doc.length());
      long t = System.nanoTime();
      clients.get((int) (i % clients.size())).async().put(key(i), Values.json(doc)).whenCompleteAsync((r, e) -> {
        if (e == null) {
          latency.record(System.nanoTime() - t);
          ok.increment();
        } else {
          String k = errorKind(e);
          errors.computeIfAbsent(k, x -> new LongAdder()).increment();
          errorExamples.putIfAbsent(k, String.valueOf(unwrap(e).getMessage()));
        }
        send[0].run();
      }, callbacks);
    };
    try {
      for (int w = 0; w < writers; w++) {
        callbacks.execute(send[0]);
      }
      long lastReport = start;
      long lastDone = 0;
      while (!finished.await(100, TimeUnit.MILLISECONDS)) {
        long now = System.nanoTime();
        if (now - lastReport >= TimeUnit.SECONDS.toNanos(progressEverySeconds)) {
          long done = ok.sum() + errorCount(errors);
          double elapsed = (now - start) / 1e9;
          double recent = (done - lastDone) / ((now - lastReport) / 1e9);
          double avg = done / elapsed;
          long eta = avg > 0 ? (long) ((n - done) / avg) : -1;
          progress("load %s: %,d/%,d docs (%d%%), %,.0f docs/s (last %ds %,.0f), put p99 %.1f ms, errors %d, eta %s",
              kind, done, n, n == 0 ? 100 : done * 100 / n, avg, progressEverySeconds, recent,
              latency.percentile(99) / 1e6, errorCount(errors), eta < 0 ? "?" : formatDuration(eta));
          ArrayNode s = samples.addArray();
          s.add(Math.round(elapsed * 10) / 10.0).add(done);
          lastReport = now;
          lastDone = done;
        }
      }
    } finally {
      callbacks.shutdown();
      callbacks.awaitTermination(30, TimeUnit.SECONDS);
      clients.forEach(QuorumKvClient::close);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    ObjectNode load = result.putObject("load");
    load.put("writers", writers);
    load.put("connections", clients.size());
    load.put("docs_written", ok.sum());
    load.put("doc_bytes_avg", n == 0 ? 0 : bytes.sum() / (double) n);
    load.put("seconds", round(seconds, 3));
    load.put("docs_per_s", round(ok.sum() / seconds, 1));
    load.set("latency_ms", latencyJson(latency));
    load.set("errors", errorsJson(errors, errorExamples));
    load.set("progress", samples);
    progress("load %s: %,d docs written in %.1f s (%,.0f docs/s), put p50 %.1f ms p99 %.1f ms, %d errors",
        kind, ok.sum(), seconds, ok.sum() / seconds, latency.percentile(50) / 1e6, latency.percentile(99) / 1e6,
        errorCount(errors));
    loadStartNanos = start;
  }

  private long loadStartNanos;

  /**
   * Waits until the index is READY on every member and each member's indexer has reached the state its
   * LINEARIZABLE ListIndexes read (so every acknowledged put), polling ListIndexes on each member directly
   * every 250 ms; records each member's time since the load started into {@code into}. ({@code expected}
   * only labels progress: document counts in listings are as of the member's last refresh.)
   */
  private void awaitIndexed(long expected, String what, ObjectNode into) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(indexWaitSeconds);
    Map<String, Double> doneAt = new ConcurrentHashMap<>();
    Map<String, String> lastState = new ConcurrentHashMap<>();
    long lastReport = start;
    Map<String, ManagedChannel> channels = new LinkedHashMap<>();
    ExecutorService pollers = Executors.newFixedThreadPool(members.size(), daemon("bench-poll"));
    ArrayNode samples = into == null ? null : into.putArray("catch_up_samples");
    try {
      for (Node m : members) {
        channels.put(m.id(), channel(m.endpoint()));
      }
      while (doneAt.size() < members.size()) {
        // Every member at once; LINEARIZABLE, so the listing reflects every acknowledged put; the member
        // answers at once with its indexer's position.
        List<java.util.concurrent.Future<?>> polls = new ArrayList<>();
        for (Node m : members) {
          if (doneAt.containsKey(m.id())) {
            continue;
          }
          polls.add(pollers.submit(() -> {
            try {
              ListIndexesResponse r = SearchGrpc.newBlockingStub(channels.get(m.id()))
                  .withDeadlineAfter(3, TimeUnit.SECONDS).listIndexes(ListIndexesRequest.getDefaultInstance());
              for (io.quorumkv.proto.v1.IndexStatus st : r.getIndexesList()) {
                if (st.getSpec().getName().equals(indexName)) {
                  lastState.put(m.id(), st.getState() + " " + st.getDocuments() + " docs, indexed through "
                      + r.getIndexPosition() + " of " + r.getHeader().getAppliedIndex()
                      + (st.getPendingEmbeddings() > 0 ? ", " + st.getPendingEmbeddings() + " pending embeddings" : "")
                      + (st.getFailure().isEmpty() ? "" : ", failure: " + st.getFailure()));
                  if (st.getState() == io.quorumkv.proto.v1.IndexStatus.State.FAILED) {
                    lastState.put(m.id(), "FAILED: " + st.getFailure());
                  }
                  if (st.getState() == io.quorumkv.proto.v1.IndexStatus.State.READY
                      && r.getIndexPosition() >= r.getHeader().getAppliedIndex()) {
                    doneAt.put(m.id(), into == null ? (System.nanoTime() - start) / 1e9
                        : (System.nanoTime() - loadStartNanos) / 1e9);
                  }
                }
              }
            } catch (StatusRuntimeException e) {
              String d = e.getStatus().getDescription();
              Matcher pos = d == null ? null : POSITION.matcher(d);
              lastState.put(m.id(), pos != null && pos.find()
                  ? "indexes at log index " + pos.group(2) + " of " + pos.group(1)
                  : e.getStatus().getCode() + (d == null ? "" : ": " + (d.length() > 100 ? d.substring(0, 100) : d)));
            }
          }));
        }
        for (java.util.concurrent.Future<?> f : polls) {
          try {
            f.get();
          } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
          }
        }
        for (Map.Entry<String, String> e : lastState.entrySet()) {
          if (e.getValue().startsWith("FAILED")) {
            throw new IllegalStateException("index " + indexName + " FAILED on " + e.getKey() + ": " + e.getValue());
          }
        }
        long now = System.nanoTime();
        if (doneAt.size() < members.size()) {
          if (now > deadline) {
            throw new IllegalStateException(what + ": index not complete on every member after " + indexWaitSeconds
                + " s: " + lastState);
          }
          if (now - lastReport >= TimeUnit.SECONDS.toNanos(progressEverySeconds)) {
            lastReport = now;
            Map<String, String> sorted = new java.util.TreeMap<>(lastState);
            progress("%s %s: waiting for %,d docs on every member: %s", what, indexName, expected, sorted);
            if (samples != null && samples.size() < 2000) {
              ObjectNode sm = samples.addObject().put("s", round((now - loadStartNanos) / 1e9, 1));
              sorted.forEach(sm::put);
            }
          }
          Thread.sleep(250);
        }
      }
    } finally {
      pollers.shutdownNow();
      channels.values().forEach(ManagedChannel::shutdownNow);
    }
    if (into != null) {
      ObjectNode per = into.putObject("indexed_at_s");
      doneAt.forEach((id, s) -> per.put(id, round(s, 3)));
      double all = doneAt.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
      into.put("indexed_seconds", round(all, 3));
      into.put("indexed_docs_per_s", round(expected / all, 1));
      into.put("catch_up_seconds", round(all - into.get("seconds").asDouble(), 3));
      progress("%s %s: every member holds %,d docs %.1f s after the load started (%,.0f docs/s; catch-up after the last ack %.1f s)",
          what, indexName, expected, all, expected / all, all - into.get("seconds").asDouble());
    }
  }

  /**
   * Waits until no member merges the index and each holds it in one segment (as of its searcher's last
   * refresh), or none started a merge
   * {@value #MERGE_START_GRACE_SECONDS} s after this wait began (an index with one large segment is not
   * merged); at most --merge-wait-seconds. Queries measured during the merges would measure the merges.
   */
  private void awaitMerged() throws InterruptedException {
    if (mergeWaitSeconds <= 0) {
      return;
    }
    long start = System.nanoTime();
    long lastReport = start;
    Set<String> seenMerging = new HashSet<>();
    Map<String, String> lastState = new java.util.TreeMap<>();
    Map<String, ManagedChannel> channels = new LinkedHashMap<>();
    members.forEach(m -> channels.put(m.id(), channel(m.endpoint())));
    try {
      while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(mergeWaitSeconds)) {
        boolean graceOver = System.nanoTime() - start > TimeUnit.SECONDS.toNanos(MERGE_START_GRACE_SECONDS);
        int done = 0;
        for (Node m : members) {
          try {
            ListIndexesResponse r = SearchGrpc.newBlockingStub(channels.get(m.id()))
                .withDeadlineAfter(3, TimeUnit.SECONDS).listIndexes(ListIndexesRequest.getDefaultInstance());
            for (io.quorumkv.proto.v1.IndexStatus st : r.getIndexesList()) {
              if (st.getSpec().getName().equals(indexName)) {
                lastState.put(m.id(), st.getSegments() + " segment(s)" + (st.getMerging() ? ", merging" : ""));
                if (st.getMerging()) {
                  seenMerging.add(m.id());
                } else if (st.getSegments() == 1 || (graceOver && !seenMerging.contains(m.id()))) {
                  // 0 segments: the searcher was not refreshed since the load, not "merged".
                  done++;
                }
              }
            }
          } catch (StatusRuntimeException e) {
            lastState.put(m.id(), e.getStatus().getCode().toString());
          }
        }
        if (done == members.size()) {
          double waited = (System.nanoTime() - start) / 1e9;
          result.put("merge_wait_seconds", round(waited, 1));
          segmentsJson(lastState);
          progress("queries: index %s merged on every member after %.1f s: %s", indexName, waited, lastState);
          return;
        }
        long now = System.nanoTime();
        if (now - lastReport >= TimeUnit.SECONDS.toNanos(progressEverySeconds)) {
          lastReport = now;
          progress("queries: waiting for the members to merge index %s: %s", indexName, lastState);
        }
        Thread.sleep(1000);
      }
    } finally {
      channels.values().forEach(ManagedChannel::shutdownNow);
    }
    result.put("merge_wait_seconds", (double) mergeWaitSeconds);
    segmentsJson(lastState);
    progress("queries: index %s not merged on every member after %d s (%s); querying anyway", indexName,
        mergeWaitSeconds, lastState);
  }

  private void segmentsJson(Map<String, String> states) {
    ObjectNode o = result.putObject("segments_before_queries");
    states.forEach(o::put);
  }

  private static String loadavg() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Waits until the whole machine used less than a fifth of a core over a second (at most
   * --settle-seconds): the index merges and commits that follow a load would otherwise run during the
   * queries and measure them, not the searches. Records the wait in the result.
   */
  private void awaitQuietMachine() throws InterruptedException {
    if (settleSeconds <= 0) {
      return;
    }
    long start = System.nanoTime();
    double ticksPerSecond = ProcCpu.ticksPerSecond();
    while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(settleSeconds)) {
      Long before = machineBusyTicks();
      Thread.sleep(1000);
      Long after = machineBusyTicks();
      if (before == null || after == null) {
        return;
      }
      if ((after - before) / ticksPerSecond < 0.2) {
        double waited = (System.nanoTime() - start) / 1e9;
        result.put("settle_seconds", round(waited, 1));
        progress("queries: the machine went quiet %.1f s after indexing caught up", waited);
        return;
      }
    }
    result.put("settle_seconds", (double) settleSeconds);
    progress("queries: the machine is still busy after %d s; querying anyway", settleSeconds);
  }

  /** Busy clock ticks of the whole machine (every CPU) from /proc/stat, or null. */
  static Long machineBusyTicks() {
    try {
      String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0); // cpu user nice system idle iowait irq softirq steal
      String[] f = cpu.trim().split("\\s+");
      long busy = 0;
      for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
        busy += Long.parseLong(f[i]);
      }
      return busy;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * CPU seconds that processes other than the members and this bench used between two {@link #cpuTicks}
   * readings: how much the measurement shared the machine.
   */
  private static Double foreignCpuSeconds(Map<String, Long> a, Map<String, Long> b) {
    if (a.get("machine") == null || b.get("machine") == null) {
      return null;
    }
    long ours = 0;
    for (String k : a.keySet()) {
      if (!k.equals("machine") && a.get(k) != null && b.get(k) != null) {
        ours += b.get(k) - a.get(k);
      }
    }
    return Math.max(0, (b.get("machine") - a.get("machine") - ours) / (double) ProcCpu.ticksPerSecond());
  }

  private Map<String, Long> cpuTicks() {
    Map<String, Long> t = new LinkedHashMap<>();
    t.put("machine", machineBusyTicks());
    OptionalLong self = ProcCpu.ticks("self");
    t.put("bench", self.isPresent() ? self.getAsLong() : null);
    for (Node m : members) {
      OptionalLong v = m.pid() == null ? OptionalLong.empty() : ProcCpu.ticks(Long.toString(m.pid()));
      t.put(m.id(), v.isPresent() ? v.getAsLong() : null);
    }
    return t;
  }

  private void cpuReport(Map<String, Long> c0, Map<String, Long> c1, Map<String, Long> c2) {
    ObjectNode load = (ObjectNode) result.get("load");
    double tps = ProcCpu.ticksPerSecond();
    long written = Math.max(1, load.get("docs_written").asLong());
    ObjectNode cpu = load.putObject("cpu_s");
    ObjectNode perDoc = load.putObject("cpu_ms_per_doc");
    ObjectNode catchUp = load.putObject("cpu_s_catch_up");
    load.put("foreign_cpu_s", round(foreignCpuSeconds(c0, c2), 1));
    load.put("wall_s_load_and_catch_up", round(load.path("indexed_seconds").asDouble(load.get("seconds").asDouble()), 1));
    for (String k : c0.keySet()) {
      if (k.equals("machine")) {
        continue;
      }
      if (c0.get(k) != null && c2.get(k) != null) {
        double s = (c2.get(k) - c0.get(k)) / tps;
        cpu.put(k, round(s, 2));
        perDoc.put(k, round(s * 1000 / written, 3));
        catchUp.put(k, round((c2.get(k) - c1.get(k)) / tps, 2));
      }
    }
  }

  // ---------------------------------------------------------------------------------------------- queries

  private record QueryKind(String name, Function<SplittableRandom, SearchQuery> make) {}

  private List<QueryKind> queryKinds() {
    List<QueryKind> kinds = new ArrayList<>();
    long docCount = Math.max(1, n);
    switch (kind) {
      case text -> {
        kinds.add(new QueryKind("full-text", r -> {
          SearchCorpus.Doc d = corpus.doc(r.nextLong(docCount), false);
          return SearchQuery.builder(indexName).query(String.join(" ", SearchCorpus.terms(d, 2 + r.nextInt(2), r)))
              .topK(topK).build();
        }));
        kinds.add(new QueryKind("full-text+filter", r -> {
          SearchCorpus.Doc d = corpus.doc(r.nextLong(docCount), false);
          return SearchQuery.builder(indexName).query(String.join(" ", SearchCorpus.terms(d, 2, r)))
              .filter(SearchFilter.equalTo("category", d.category()))
              .filter(SearchFilter.range("price", d.price() - 100, d.price() + 100))
              .topK(topK).build();
        }));
      }
      case vector -> kinds.add(new QueryKind("vector", r ->
          SearchQuery.builder(indexName).vector(SearchCorpus.unitVector(r)).topK(topK).build()));
      case semantic -> {
        kinds.add(new QueryKind("semantic", r ->
            SearchQuery.builder(indexName).semanticText(corpus.sentence(r, new ArrayList<>())).topK(topK).build()));
        kinds.add(new QueryKind("hybrid", r -> {
          SearchCorpus.Doc d = corpus.doc(r.nextLong(docCount), false);
          return SearchQuery.builder(indexName).query(String.join(" ", SearchCorpus.terms(d, 2, r)))
              .semanticText(corpus.sentence(r, new ArrayList<>())).topK(topK).build();
        }));
      }
      default -> { }
    }
    return kinds;
  }

  private void runQueries(List<String> endpointList) throws InterruptedException {
    // The leader first: reads go to a client's preferred endpoint, so every query is answered by the leader.
    List<String> eps = new ArrayList<>();
    members.stream().filter(m -> m.id().equals(leaderId)).findFirst().ifPresent(m -> eps.add(m.endpoint()));
    endpointList.stream().map(String::trim).filter(e -> !eps.contains(e)).forEach(eps::add);
    ArrayNode out = result.putArray("queries");
    int maxClients = concurrency.stream().mapToInt(Integer::intValue).max().orElse(1);
    List<QuorumKvClient> clients = new ArrayList<>();
    try {
      for (int c = 0; c < maxClients; c++) {
        clients.add(client(eps));
      }
      for (QueryKind qk : queryKinds()) {
        SplittableRandom r = corpus.stream(qk.name());
        // Warm-up through every client (connections, the members' JIT, searcher caches).
        List<SearchQuery> warm = new ArrayList<>();
        for (int i = 0; i < Math.max(warmupQueries, clients.size()); i++) {
          warm.add(qk.make().apply(r));
        }
        runBatch(qk.name() + " warm-up", warm, clients.subList(0, Math.min(clients.size(), Math.max(1, maxClients))), null);
        for (int c : concurrency) {
          List<SearchQuery> qs = new ArrayList<>();
          for (int i = 0; i < queries; i++) {
            qs.add(qk.make().apply(r));
          }
          ObjectNode o = out.addObject();
          o.put("kind", qk.name());
          o.put("clients", c);
          o.put("answered_by", leaderId);
          runBatch(qk.name(), qs, clients.subList(0, c), o);
          JsonNode l = o.get("latency_ms");
          progress("queries %-17s %d client(s): %d in %.1f s, %.1f q/s, p50 %.2f ms p99 %.2f ms max %.2f ms, mean hits %.1f, %d errors",
              qk.name(), c, o.get("ok").asLong(), o.get("seconds").asDouble(), o.get("qps").asDouble(),
              l.get("p50").asDouble(), l.get("p99").asDouble(), l.get("max").asDouble(),
              o.get("mean_hits").asDouble(), o.get("error_count").asLong());
        }
      }
    } finally {
      clients.forEach(QuorumKvClient::close);
    }
  }

  /** Runs {@code qs} split over {@code clients} (one thread each, blocking calls); fills {@code o} if not null. */
  private void runBatch(String name, List<SearchQuery> qs, List<QuorumKvClient> clients, ObjectNode o)
      throws InterruptedException {
    LatencyHistogram latency = new LatencyHistogram();
    LongAdder hits = new LongAdder();
    LongAdder zero = new LongAdder();
    LongAdder ok = new LongAdder();
    Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    Map<String, String> examples = new ConcurrentHashMap<>();
    List<Thread> threads = new ArrayList<>();
    CountDownLatch go = new CountDownLatch(1);
    for (int t = 0; t < clients.size(); t++) {
      int me = t;
      QuorumKvClient kv = clients.get(t);
      Thread th = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = me; i < qs.size(); i += clients.size()) {
          long start = System.nanoTime();
          try {
            SearchPage page = kv.search(qs.get(i));
            latency.record(System.nanoTime() - start);
            ok.increment();
            hits.add(page.hits().size());
            if (page.hits().isEmpty()) {
              zero.increment();
            }
          } catch (RuntimeException e) {
            String k = errorKind(e);
            errors.computeIfAbsent(k, x -> new LongAdder()).increment();
            examples.putIfAbsent(k, String.valueOf(unwrap(e).getMessage()));
          }
        }
      }, "bench-query-" + t);
      th.setDaemon(true);
      threads.add(th);
      th.start();
    }
    Map<String, Long> cpu0 = cpuTicks();
    long start = System.nanoTime();
    go.countDown();
    for (Thread th : threads) {
      th.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<String, Long> cpu1 = cpuTicks();
    if (o == null) {
      if (!errors.isEmpty()) {
        progress("%s: errors %s", name, errorsJson(errors, examples));
      }
      return;
    }
    o.put("queries", qs.size());
    o.put("ok", ok.sum());
    o.put("seconds", round(seconds, 3));
    o.put("qps", round(ok.sum() / seconds, 1));
    o.set("latency_ms", latencyJson(latency));
    o.put("mean_hits", ok.sum() == 0 ? 0 : round(hits.sum() / (double) ok.sum(), 2));
    o.put("zero_hit_pct", ok.sum() == 0 ? 0 : round(zero.sum() * 100.0 / ok.sum(), 1));
    o.put("error_count", errorCount(errors));
    o.set("errors", errorsJson(errors, examples));
    o.put("foreign_cpu_s", round(foreignCpuSeconds(cpu0, cpu1), 2));
    if (cpu0.get(leaderId) != null && cpu1.get(leaderId) != null && ok.sum() > 0) {
      o.put("leader_cpu_ms_per_query", round((cpu1.get(leaderId) - cpu0.get(leaderId)) * 1000.0
          / ProcCpu.ticksPerSecond() / ok.sum(), 3));
    }
  }

  // ---------------------------------------------------------------------------------------------- probes

  /**
   * Read-your-writes of searches: put a document the index must find (a unique term; for a vector index
   * a unique vector), then at once search for it LINEARIZABLE. The contract (search.proto) says the search
   * observes every write acknowledged before it was sent.
   */
  private void probe(QuorumKvClient admin) {
    ObjectNode p = result.putObject("read_your_writes");
    int misses = 0;
    int failures = 0;
    ArrayNode examples = p.putArray("missed");
    SplittableRandom r = corpus.stream("probe");
    for (int i = 0; i < probes; i++) {
      String key = prefix + "~probe-" + i;
      String token = "zqx" + Long.toString(seed, 36) + "p" + i;
      SearchCorpus.Doc base = corpus.doc(r.nextLong(Math.max(1, n)), true);
      float[] vector = SearchCorpus.unitVector(r);
      SearchCorpus.Doc d = new SearchCorpus.Doc(base.title() + " " + token, base.body() + " " + token,
          base.category(), base.price(), vector, base.contentWords());
      try {
        long index = admin.put(key, Values.json(SearchCorpus.json(d))).index();
        SearchQuery q = kind == Kind.vector
            ? SearchQuery.builder(indexName).vector(vector).topK(1).build()
            : SearchQuery.builder(indexName).query(token).topK(1).build();
        SearchPage page = admin.search(q);
        boolean found = !page.hits().isEmpty() && page.hits().get(0).keyUtf8().equals(key);
        if (!found) {
          misses++;
          if (examples.size() < 5) {
            examples.addObject().put("key", key).put("put_index", index).put("search_applied_index", page.appliedIndex())
                .put("hits", page.hits().size());
          }
        }
      } catch (RuntimeException e) {
        failures++;
        if (examples.size() < 5) {
          examples.addObject().put("key", key).put("error", errorKind(e) + ": " + unwrap(e).getMessage());
        }
      }
    }
    p.put("tries", probes);
    p.put("misses", misses);
    p.put("failures", failures);
    progress("read-your-writes: %d of %d LINEARIZABLE searches right after their put missed it (%d failed)",
        misses, probes, failures);
  }

  // ---------------------------------------------------------------------------------------------- restart

  private void restartFollower(QuorumKvClient admin) throws Exception {
    ObjectNode out = result.putObject("restart");
    StatusResponse status = admin.clusterStatus();
    String leader = status.getLeaderId();
    Node victim = members.stream().filter(m -> !m.id().equals(leader) && m.pid() != null && m.log() != null)
        .findFirst().orElseThrow(() -> new IllegalStateException("no follower with a known pid and log file"));
    long pid = victim.pid();
    // Let it catch up first, so the restart measures recovery of a complete member.
    for (int i = 0; i < 50; i++) {
      StatusResponse s = admin.clusterStatus();
      long leaderApplied = s.getMembersList().stream().filter(m -> m.getId().equals(leader)).findFirst()
          .map(Member::getAppliedIndex).orElse(0L);
      Member v = s.getMembersList().stream().filter(m -> m.getId().equals(victim.id())).findFirst().orElseThrow();
      if (v.getAppliedIndex() >= leaderApplied) {
        out.put("applied_index", v.getAppliedIndex());
        out.put("snapshot_index", v.getSnapshotIndex());
        out.put("log_start_index", v.getLogStartIndex());
        break;
      }
      Thread.sleep(200);
    }
    List<String> command = MemberProbe.cmdline(pid);
    Map<String, String> env = MemberProbe.environ(pid);
    Path cwd = MemberProbe.cwd(pid);
    Path log = victim.log();
    out.put("member", victim.id());
    out.put("old_pid", pid);
    out.put("command", String.join(" ", command));
    out.put("log", log.toString());
    out.put("rss_before_kill_mb", round(MemberProbe.rssMb(pid), 1));
    progress("restart: kill -9 follower %s (pid %d), then start it again with its own command line", victim.id(), pid);
    ProcessHandle old = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("pid " + pid + " is gone"));
    old.destroyForcibly();
    old.onExit().get(30, TimeUnit.SECONDS);
    long logOffset = MemberProbe.fileSize(log);
    ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().clear();
    pb.environment().putAll(env);
    java.time.LocalTime wall0 = java.time.LocalTime.now();
    Long busy0 = machineBusyTicks();
    Map<String, Long> others0 = cpuTicks();
    long t0 = System.nanoTime();
    Process p = pb.start();
    out.put("new_pid", p.pid());
    members.replaceAll(m -> m.id().equals(victim.id()) ? m.withPid(p.pid()) : m);
    ManagedChannel ch = channel(victim.endpoint());
    ArrayNode timeline = out.putArray("timeline");
    try {
      long listCalls = 0;
      long listCallsOver1s = 0;
      double listCallMaxMs = 0;
      Double servingMs = null;
      Double readyMs = null;
      Map<String, Double> readyAt = new LinkedHashMap<>();
      long deadline = t0 + TimeUnit.SECONDS.toNanos(indexWaitSeconds);
      long lastSample = 0;
      String lastState = "";
      while (readyMs == null) {
        if (!p.isAlive()) {
          ArrayNode tail = out.putArray("log_tail");
          List<LogLine> lines = MemberProbe.readLog(log, logOffset);
          lines.subList(Math.max(0, lines.size() - 8), lines.size()).forEach(l -> tail.add(l.text()));
          out.put("exit_code", p.exitValue());
          out.put("exited_after_ms", Math.round((System.nanoTime() - t0) / 1e6));
          throw new IllegalStateException("restarted member exited with " + p.exitValue()
              + (p.exitValue() == 3 ? " (-XX:+ExitOnOutOfMemoryError)" : "") + " after "
              + Math.round((System.nanoTime() - t0) / 1e6) + " ms; last log line: "
              + (lines.isEmpty() ? "" : lines.get(lines.size() - 1).text()) + "; see " + log);
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("restarted member not READY after " + indexWaitSeconds + " s: " + lastState);
        }
        try {
          // Without this the channel waits out its reconnect backoff (up to minutes) after the refused
          // connections of the first seconds, and would see the member serving late.
          ch.resetConnectBackoff();
          long c0 = System.nanoTime();
          ListIndexesResponse r = SearchGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
              .listIndexes(ListIndexesRequest.getDefaultInstance());
          double ms = (System.nanoTime() - t0) / 1e6;
          double callMs = (System.nanoTime() - c0) / 1e6;
          listCalls++;
          listCallMaxMs = Math.max(listCallMaxMs, callMs);
          if (callMs > 1000) {
            listCallsOver1s++;
          }
          if (servingMs == null) {
            servingMs = ms;
            progress("restart: %s answers ListIndexes %.0f ms after its start", victim.id(), ms);
          }
          // No index (--index none): the member is back once it answers.
          boolean all = r.getIndexesCount() > 0 || kind == Kind.none;
          StringBuilder st = new StringBuilder();
          for (io.quorumkv.proto.v1.IndexStatus s : r.getIndexesList()) {
            st.append(s.getSpec().getName()).append(' ').append(s.getState()).append(' ')
                .append(s.getBuildVisited()).append(" visited ").append(s.getDocuments()).append(" docs; ");
            if (s.getState() == io.quorumkv.proto.v1.IndexStatus.State.READY) {
              readyAt.putIfAbsent(s.getSpec().getName(), ms);
            } else {
              all = false;
            }
            if (s.getState() == io.quorumkv.proto.v1.IndexStatus.State.FAILED) {
              throw new IllegalStateException("index FAILED on the restarted member: " + s.getFailure());
            }
          }
          lastState = st.toString();
          if (System.nanoTime() - lastSample > TimeUnit.SECONDS.toNanos(1) || all) {
            lastSample = System.nanoTime();
            timeline.addObject().put("ms", Math.round(ms)).put("state", lastState);
            if (!all) {
              progress("restart: %.1f s: %s", ms / 1000, lastState);
            }
          }
          if (all) {
            readyMs = ms;
          }
        } catch (StatusRuntimeException e) {
          String desc = e.getStatus().getDescription();
          String s = e.getStatus().getCode() + (desc == null ? "" : ": " + (desc.length() > 160 ? desc.substring(0, 160) : desc));
          if (!s.equals(lastState) && timeline.size() < 60) {
            timeline.addObject().put("ms", Math.round((System.nanoTime() - t0) / 1e6)).put("state", "ListIndexes " + s);
          }
          lastState = s;
        }
        if (readyMs == null) {
          Thread.sleep(pollMs);
        }
      }
      out.put("list_indexes_calls", listCalls);
      out.put("list_indexes_call_max_ms", Math.round(listCallMaxMs));
      out.put("list_indexes_calls_over_1s", listCallsOver1s);
      out.put("serving_ms", Math.round(servingMs));
      out.put("all_ready_ms", Math.round(readyMs));
      ObjectNode ra = out.putObject("index_ready_ms");
      readyAt.forEach((k, v) -> ra.put(k, Math.round(v)));
      out.put("rss_ready_mb", round(MemberProbe.rssMb(p.pid()), 1));
      // Interference: machine CPU not used by the bench, the other members or the restarted one.
      Long busy1 = machineBusyTicks();
      Map<String, Long> others1 = cpuTicks();
      OptionalLong restartedTicks = ProcCpu.ticks(Long.toString(p.pid()));
      if (busy0 != null && busy1 != null && restartedTicks.isPresent()) {
        long ours = restartedTicks.getAsLong();
        for (String k : others0.keySet()) {
          if (!k.equals("machine") && !k.equals(victim.id()) && others0.get(k) != null && others1.get(k) != null) {
            ours += others1.get(k) - others0.get(k);
          }
        }
        out.put("restarted_member_cpu_s", round(restartedTicks.getAsLong() / (double) ProcCpu.ticksPerSecond(), 1));
        out.put("foreign_cpu_s_until_ready", round(Math.max(0, busy1 - busy0 - ours) / (double) ProcCpu.ticksPerSecond(), 1));
      }
      progress("restart: every index READY on %s %.1f s after its start", victim.id(), readyMs / 1000);
      long offsetBeforeSearch = MemberProbe.fileSize(log);
      if (kind == Kind.none) {
        Thread.sleep(500);
        restartLog(out, log, logOffset, offsetBeforeSearch, wall0);
        return;
      }
      // The first search of the index's kind on the restarted member (semantic: the member embeds the text).
      SplittableRandom r = corpus.stream("restart");
      SearchRequest.Builder req = SearchRequest.newBuilder().setIndex(indexName).setTopK(topK);
      switch (kind) {
        case semantic -> req.setSemanticText(corpus.sentence(r, new ArrayList<>()));
        case vector -> {
          for (float v : SearchCorpus.unitVector(r)) {
            req.addVector(v);
          }
        }
        default -> req.setQuery(String.join(" ", SearchCorpus.terms(corpus.doc(0, false), 2, r)));
      }
      long s0 = System.nanoTime();
      SearchResponse sr = null;
      String lastError = null;
      int attempts = 0;
      while (sr == null && System.nanoTime() - s0 < TimeUnit.SECONDS.toNanos(120)) {
        attempts++;
        try {
          sr = SearchGrpc.newBlockingStub(ch).withDeadlineAfter(60, TimeUnit.SECONDS).search(req.build());
        } catch (StatusRuntimeException e) {
          lastError = e.getStatus().toString();
          Thread.sleep(pollMs);
        }
      }
      if (sr == null) {
        throw new IllegalStateException("no successful search on the restarted member: " + lastError);
      }
      double searchOkMs = (System.nanoTime() - t0) / 1e6;
      out.put("first_search_kind", kind.name());
      out.put("first_search_ms", round((System.nanoTime() - s0) / 1e6, 1));
      out.put("first_search_attempts", attempts);
      out.put("first_search_hits", sr.getHitsCount());
      out.put("first_search_member", sr.getHeader().getMemberId());
      out.put("search_ok_ms", Math.round(searchOkMs));
      long s1 = System.nanoTime();
      SearchGrpc.newBlockingStub(ch).withDeadlineAfter(60, TimeUnit.SECONDS).search(req.build());
      out.put("second_search_ms", round((System.nanoTime() - s1) / 1e6, 1));
      out.put("rss_after_search_mb", round(MemberProbe.rssMb(p.pid()), 1));
      progress("restart: first %s search on %s succeeded %.1f s after its start (the search itself %.0f ms)",
          kind, victim.id(), searchOkMs / 1000, (System.nanoTime() - s0) / 1e6);
      Thread.sleep(500); // let the log catch up
      restartLog(out, log, logOffset, offsetBeforeSearch, wall0);
    } finally {
      ch.shutdownNow();
      if (!keepRestarted) {
        p.destroy();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
        out.put("stopped_after", true);
      } else {
        out.put("stopped_after", false);
        progress("restart: left %s running as pid %d", victim.id(), p.pid());
      }
    }
  }

  private void restartLog(ObjectNode out, Path log, long from, long beforeSearch, java.time.LocalTime wall0) {
    ArrayNode built = out.putArray("built");
    ArrayNode lines = out.putArray("log_lines");
    ObjectNode events = out.putObject("log_events_ms");
    Long modelOffset = null;
    for (LogLine l : MemberProbe.readLog(log, from)) {
      String t = l.text();
      Long at = sinceWall(t, wall0);
      if (at != null) {
        String event = t.contains("opened ") && t.contains("/db at applied") ? "db_opened"
            : t.contains("rebuilding") ? "rebuild_started"
            : t.contains("leader is now") ? "leader_known"
            : t.contains("serving clients") ? "serving_clients"
            : t.contains(": built, ") ? "index_built"
            : t.contains(MODEL_LINE) ? "model_loaded" : null;
        if (event != null && !events.has(event)) {
          events.put(event, at);
        }
      }
      Matcher b = BUILT.matcher(t);
      if (b.find()) {
        built.addObject().put("index", b.group(1)).put("documents", Long.parseLong(b.group(2)))
            .put("ms", Long.parseLong(b.group(3)));
      }
      Matcher s = STARTED.matcher(t);
      if (s.find()) {
        out.put("member_started_in_ms", Long.parseLong(s.group(1)));
        out.put("member_started_at_applied_index", Long.parseLong(s.group(2)));
      }
      if (t.contains(MODEL_LINE) && modelOffset == null) {
        modelOffset = l.offset();
        Matcher m = MODEL.matcher(t);
        if (m.find()) {
          out.put("model_load_ms", Long.parseLong(m.group(1)));
        }
        out.put("model_line", t);
      }
      if (b.find(0) || s.find(0) || t.contains(MODEL_LINE) || t.contains("rebuilding") || t.contains(" WARN ")
          || t.contains(" ERROR ")) {
        if (lines.size() < 40) {
          lines.add(t);
        }
      }
    }
    out.put("model_loaded", modelOffset != null);
    out.put("model_loaded_before_first_semantic_search", modelOffset != null && modelOffset < beforeSearch);
  }

  /** Milliseconds from {@code wall0} to the HH:mm:ss.SSS time stamp that starts a log line, or null. */
  private static Long sinceWall(String line, java.time.LocalTime wall0) {
    if (line.length() < 12 || line.charAt(2) != ':' || line.charAt(8) != '.') {
      return null;
    }
    try {
      java.time.LocalTime t = java.time.LocalTime.parse(line.substring(0, 12));
      long ms = Duration.between(wall0, t).toMillis();
      return ms < -12 * 3600_000L ? ms + 24 * 3600_000L : ms;
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  // ---------------------------------------------------------------------------------------------- reports

  /** One reading per member, by member id, in member order. */
  private Map<String, Double> perMember(java.util.function.Function<Node, Double> probe) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (Node x : members) {
      m.put(x.id(), probe.apply(x));
    }
    return m;
  }

  private Map<String, Double> rss() {
    return perMember(x -> MemberProbe.rssMb(x.pid()));
  }

  private Map<String, Double> statusMb(String field) {
    return perMember(x -> MemberProbe.statusMb(x.pid(), field));
  }

  private Map<String, Double> hwm() {
    return perMember(x -> MemberProbe.hwmMb(x.pid()));
  }

  private Map<String, Map<String, Long>> disk() {
    Map<String, Map<String, Long>> m = new LinkedHashMap<>();
    for (Node x : members) {
      m.put(x.id(), MemberProbe.dirSizes(x.dataDir()));
    }
    return m;
  }

  private void memoryReport(Map<String, Double> before, Map<String, Double> indexed, Map<String, Double> hwm,
      Map<String, Double> queried, Map<String, Map<String, Long>> diskBefore, Map<String, Map<String, Long>> diskAfter) {
    ArrayNode mem = result.putArray("memory");
    for (Node m : members) {
      ObjectNode o = mem.addObject();
      o.put("id", m.id());
      o.put("role", m.id().equals(leaderId) ? "leader" : "follower");
      o.put("pid", m.pid());
      o.put("rss_before_mb", round(before.get(m.id()), 1));
      o.put("rss_after_index_mb", round(indexed.get(m.id()), 1));
      o.put("hwm_after_index_mb", round(hwm.get(m.id()), 1));
      o.put("rss_after_queries_mb", round(queried.get(m.id()), 1));
      ObjectNode d = o.putObject("disk_mb");
      diskAfter.getOrDefault(m.id(), Map.of()).forEach((k, v) -> d.put(k, round(v / 1048576.0, 1)));
      ObjectNode d0 = o.putObject("disk_before_mb");
      diskBefore.getOrDefault(m.id(), Map.of()).forEach((k, v) -> d0.put(k, round(v / 1048576.0, 1)));
    }
  }

  /** WARN/ERROR lines and embedding-model loads in every member's log since this run started. */
  private void logReport() {
    ArrayNode logs = result.putArray("logs");
    for (Node m : members) {
      if (m.log() == null) {
        continue;
      }
      ObjectNode o = logs.addObject();
      o.put("id", m.id());
      long warn = 0;
      long error = 0;
      long stack = 0;
      ArrayNode fatal = o.putArray("fatal");
      Map<String, Long> distinct = new LinkedHashMap<>();
      ArrayNode models = o.putArray("model_loads");
      for (LogLine l : MemberProbe.readLog(m.log(), logStart.getOrDefault(m.id(), 0L))) {
        String t = l.text();
        boolean w = t.contains(" WARN ");
        boolean e = t.contains(" ERROR ");
        if (t.startsWith("\tat ") || t.startsWith("Caused by")) {
          stack++;
        }
        if (t.contains(MODEL_LINE)) {
          models.add(t);
        }
        // What the JVM itself prints when a member dies (-XX:+ExitOnOutOfMemoryError, a crash).
        if ((t.contains("OutOfMemoryError") || t.startsWith("Exception in thread") || t.startsWith("# A fatal error"))
            && fatal.size() < 5) {
          fatal.add(t);
        }
        if (w || e) {
          if (w) {
            warn++;
          } else {
            error++;
          }
          String norm = t.length() > 13 ? t.substring(13) : t;
          norm = norm.replaceAll("\\d+", "N");
          if (norm.length() > 220) {
            norm = norm.substring(0, 220) + "...";
          }
          distinct.merge(norm, 1L, Long::sum);
        }
      }
      o.put("warn", warn);
      o.put("error", error);
      o.put("stack_lines", stack);
      ArrayNode top = o.putArray("top");
      distinct.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(8)
          .forEach(en -> top.addObject().put("count", en.getValue()).put("line", en.getKey()));
    }
  }

  // ---------------------------------------------------------------------------------------------- helpers

  private static ManagedChannel channel(String endpoint) {
    return Grpc.newChannelBuilder(endpoint, InsecureChannelCredentials.create()).maxInboundMessageSize(16 << 20).build();
  }

  private static ObjectNode latencyJson(LatencyHistogram h) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("count", h.count());
    o.put("p50", round(h.percentile(50) / 1e6, 3));
    o.put("p90", round(h.percentile(90) / 1e6, 3));
    o.put("p99", round(h.percentile(99) / 1e6, 3));
    o.put("max", round(h.max() / 1e6, 3));
    return o;
  }

  private static ObjectNode errorsJson(Map<String, LongAdder> errors, Map<String, String> examples) {
    ObjectNode o = MAPPER.createObjectNode();
    errors.forEach((k, v) -> o.putObject(k).put("count", v.sum()).put("example", examples.get(k)));
    return o;
  }

  private static long errorCount(Map<String, LongAdder> errors) {
    return errors.values().stream().mapToLong(LongAdder::sum).sum();
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  static String errorKind(Throwable e) {
    Throwable t = unwrap(e);
    if (t instanceof QuorumKvException q) {
      return t.getClass().getSimpleName() + "/" + q.statusCode() + q.errorCode().map(c -> "/" + c).orElse("");
    }
    if (t instanceof StatusRuntimeException s) {
      return "grpc/" + s.getStatus().getCode();
    }
    return t.getClass().getSimpleName();
  }

  private static Double round(Double v, int digits) {
    if (v == null || v.isNaN() || v.isInfinite()) {
      return null;
    }
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }

  private static String formatDuration(long seconds) {
    return seconds >= 60 ? (seconds / 60) + "m" + String.format(Locale.ROOT, "%02d", seconds % 60) + "s" : seconds + "s";
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicLong n = new AtomicLong();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  static void progress(String format, Object... args) {
    System.err.printf(Locale.ROOT, "search-bench %tT: " + format + "%n", prepend(new java.util.Date(), args));
  }

  private static Object[] prepend(Object first, Object[] rest) {
    Object[] all = new Object[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

}
