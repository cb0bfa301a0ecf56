package io.quorumkv.client;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.v1.StatusResponse;
import io.quorumkv.proto.v1.Value;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A client of a QuorumKV cluster. Thread-safe; create one per application and share it, then {@link
 * #close()} it.
 *
 * <pre>{@code
 * try (QuorumKvClient kv = QuorumKvClient.builder().endpoints("10.0.0.1:7001,10.0.0.2:7001").build()) {
 *   WriteResult w = kv.put("greeting", Values.text("hello"));
 *   Optional<Entry> e = kv.get("greeting", ReadOptions.stale(w.index()));
 * }
 * }</pre>
 *
 * <p>The blocking methods here behave exactly like those of {@link #async()} (see there for routing,
 * retries and write ids) and throw the {@link QuorumKvException} subclasses its futures fail with. A call
 * blocks at most for the overall timeout plus one attempt's worth of slack.
 */
public final class QuorumKvClient implements AutoCloseable {
  private final AsyncKvClient async;
  private final AdminClient admin;
  private final MembershipClient membership;
  private final EndpointRouter router;
  private final ChannelPool channels;
  private final ScheduledExecutorService scheduler;
  private final WriteIds writeIds;

  private QuorumKvClient(Builder b) {
    this.writeIds = new WriteIds(b.clientId);
    this.router = new EndpointRouter(b.endpoints);
    this.channels = new ChannelPool(b.tls);
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "quorumkv-client-retry");
              t.setDaemon(true); // a forgotten close() must not keep the JVM alive
              return t;
            });
    RetryingCaller caller =
        new RetryingCaller(
            router,
            new Backoff(b.backoffBase, b.backoffCap, b.random),
            scheduler,
            b.attemptTimeout,
            b.overallTimeout,
            System::nanoTime);
    this.async = new AsyncKvClient(channels, caller, writeIds, b.pipelineWrites);
    this.admin = new AdminClient(channels, b.overallTimeout);
    this.membership = new MembershipClient(channels, caller);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Snapshots and backups of individual members. */
  public AdminClient admin() {
    return admin;
  }

  /** Membership changes over the same connections. */
  public MembershipClient membership() {
    return membership;
  }

  /** The asynchronous API over the same connections, leader cache and write-id sequence. */
  public AsyncKvClient async() {
    return async;
  }

  /**
   * The client id new writes carry. It changes (to a random one) when the cluster reports that this
   * client's session expired.
   */
  public UUID clientId() {
    return writeIds.clientId();
  }

  /** The endpoint new calls go to first: the cached leader, or the first endpoint before any is known. */
  public String preferredEndpoint() {
    return router.preferred();
  }

  /** The endpoints known: those configured, plus leaders learned from hints. */
  public List<String> endpoints() {
    return router.endpoints();
  }

  /** @see AsyncKvClient#put(String, Value) */
  public WriteResult put(String key, Value value) {
    return join(async.put(key, value));
  }

  /** @see AsyncKvClient#put(ByteString, Value) */
  public WriteResult put(ByteString key, Value value) {
    return join(async.put(key, value));
  }

  /** @see AsyncKvClient#get(String) */
  public Optional<Entry> get(String key) {
    return join(async.get(key));
  }

  /** @see AsyncKvClient#get(String, ReadOptions) */
  public Optional<Entry> get(String key, ReadOptions read) {
    return join(async.get(key, read));
  }

  /** @see AsyncKvClient#get(ByteString) */
  public Optional<Entry> get(ByteString key) {
    return join(async.get(key));
  }

  /** @see AsyncKvClient#get(ByteString, ReadOptions) */
  public Optional<Entry> get(ByteString key, ReadOptions read) {
    return join(async.get(key, read));
  }

  /** @see AsyncKvClient#delete(String) */
  public boolean delete(String key) {
    return join(async.delete(key));
  }

  /** @see AsyncKvClient#delete(ByteString) */
  public boolean delete(ByteString key) {
    return join(async.delete(key));
  }

  /** @see AsyncKvClient#exists(String) */
  public boolean exists(String key) {
    return join(async.exists(key));
  }

  /** @see AsyncKvClient#exists(String, ReadOptions) */
  public boolean exists(String key, ReadOptions read) {
    return join(async.exists(key, read));
  }

  /** @see AsyncKvClient#exists(ByteString) */
  public boolean exists(ByteString key) {
    return join(async.exists(key));
  }

  /** @see AsyncKvClient#exists(ByteString, ReadOptions) */
  public boolean exists(ByteString key, ReadOptions read) {
    return join(async.exists(key, read));
  }

  /** @see AsyncKvClient#increment(String, long) */
  public long increment(String key, long delta) {
    return join(async.increment(key, delta));
  }

  /** @see AsyncKvClient#increment(ByteString, long) */
  public long increment(ByteString key, long delta) {
    return join(async.increment(key, delta));
  }

  /** @see AsyncKvClient#batch(Batch) */
  public BatchResult batch(Batch batch) {
    return join(async.batch(batch));
  }

  /** @see AsyncKvClient#scan(ScanOptions) */
  public ScanPage scan(ScanOptions options) {
    return join(async.scan(options));
  }

  /** @see AsyncKvClient#scan(ScanOptions, ByteString) */
  public ScanPage scan(ScanOptions options, ByteString pageToken) {
    return join(async.scan(options, pageToken));
  }

  /**
   * Every entry of a scan as a lazy, sequential stream: a page is fetched when the previous one has been
   * consumed, and at most {@link ScanOptions#limit()} entries are delivered if set. Consuming the stream
   * may throw {@link QuorumKvException}. Each page is a consistent view; successive pages may come from
   * later views.
   */
  public Stream<Entry> scanAll(ScanOptions options) {
    ScanIterator entries =
        new ScanIterator(
            new ScanCursor(options),
            cursor -> join(async.scanPage(options, cursor.pageToken(), cursor.nextPageSize())));
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(entries, Spliterator.ORDERED | Spliterator.NONNULL),
        false);
  }

  /**
   * Feeds every entry of a scan to {@code action}, page after page; returns how many were delivered.
   *
   * @see AsyncKvClient#scanForEach(ScanOptions, Consumer)
   */
  public long scanForEach(ScanOptions options, Consumer<? super Entry> action) {
    return join(async.scanForEach(options, action));
  }

  /** @see AsyncKvClient#createIndex(IndexSpec) */
  public CreateIndexResult createIndex(IndexSpec spec) {
    return join(async.createIndex(spec));
  }

  /** @see AsyncKvClient#dropIndex(String) */
  public boolean dropIndex(String name) {
    return join(async.dropIndex(name));
  }

  /** @see AsyncKvClient#listIndexes() */
  public List<IndexStatus> listIndexes() {
    return join(async.listIndexes());
  }

  /** @see AsyncKvClient#listIndexes(ReadOptions) */
  public List<IndexStatus> listIndexes(ReadOptions read) {
    return join(async.listIndexes(read));
  }

  /** @see AsyncKvClient#search(SearchQuery) */
  public SearchPage search(SearchQuery query) {
    return join(async.search(query));
  }

  /**
   * Every hit of a search from {@link SearchQuery#cursor()} on, as a lazy, sequential stream: a page is
   * fetched when the previous one has been consumed, so {@code searchAll(q).limit(n)} fetches only the
   * pages it needs. Consuming the stream may throw {@link QuorumKvException}; past the server's cursor
   * depth (10000 hits by default) with {@link InvalidRequestException}. Successive pages may reflect
   * later states of the index.
   */
  public Stream<SearchHit> searchAll(SearchQuery query) {
    SearchIterator hits = new SearchIterator(query, q -> join(async.search(q)));
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(hits, Spliterator.ORDERED | Spliterator.NONNULL), false);
  }

  /**
   * Feeds every hit of a search to {@code action}, page after page; returns how many were delivered.
   *
   * @see AsyncKvClient#searchForEach(SearchQuery, Consumer)
   */
  public long searchForEach(SearchQuery query, Consumer<? super SearchHit> action) {
    return join(async.searchForEach(query, action));
  }

  /** @see AsyncKvClient#clusterStatus() */
  public StatusResponse clusterStatus() {
    return join(async.clusterStatus());
  }

  /** See {@link AsyncKvClient#transferLeadership(String)}. */
  public String transferLeadership(String toMember) {
    return join(async.transferLeadership(toMember));
  }

  /**
   * Closes the connections. Calls still in flight or waiting to retry fail (with {@link
   * IllegalStateException} or a {@link QuorumKvException}) within about a second. Idempotent.
   */
  @Override
  public void close() {
    // Channels first: retries that are already scheduled still run once the scheduler is shut down, find
    // the pool closed and fail their calls, instead of leaving their futures incomplete forever.
    channels.close();
    scheduler.shutdown();
  }

  /** Waits for a result, rethrowing the failure itself rather than a CompletionException around it. */
  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }

  /**
   * Configures a {@link QuorumKvClient}. Only {@link #endpoints} is required. Not thread-safe.
   */
  public static final class Builder {
    private List<String> endpoints = List.of();
    private Duration attemptTimeout = Duration.ofSeconds(3);
    private Duration overallTimeout = Duration.ofSeconds(15);
    private Duration backoffBase = Duration.ofMillis(25);
    // Short enough that a client notices a new leader soon after an election (0.5-1 s by default).
    private Duration backoffCap = Duration.ofMillis(250);
    private UUID clientId = UUID.randomUUID();
    private Random random = new Random();
    private Optional<ClientTls> tls = Optional.empty();
    private boolean pipelineWrites = true;

    private Builder() {}

    /** Connects over TLS (the members' cluster file has a {@code tls} section); default plaintext. */
    public Builder tls(ClientTls tls) {
      this.tls = Optional.of(tls);
      return this;
    }

    /** The members' client endpoints, "host:port" each; the first is tried first. */
    public Builder endpoints(List<String> endpoints) {
      List<String> trimmed =
          endpoints.stream().map(String::trim).filter(s -> !s.isEmpty()).distinct().toList();
      trimmed.forEach(Builder::checkEndpoint);
      this.endpoints = trimmed;
      return this;
    }

    /** The members' client endpoints, comma-separated: {@code "host1:7001,host2:7001"}. */
    public Builder endpoints(String commaSeparated) {
      return endpoints(Arrays.asList(commaSeparated.split(",")));
    }

    private static void checkEndpoint(String endpoint) {
      int colon = endpoint.lastIndexOf(':');
      if (colon <= 0 || colon == endpoint.length() - 1) {
        throw new IllegalArgumentException("endpoint must be host:port, got '" + endpoint + "'");
      }
    }

    /** Deadline of each attempt (default 3 s); capped by what is left of the overall timeout. */
    public Builder attemptTimeout(Duration attemptTimeout) {
      this.attemptTimeout = positive(attemptTimeout, "attemptTimeout");
      return this;
    }

    /** Time after which a call stops retrying and fails with {@link UnavailableException} (default 15 s). */
    public Builder overallTimeout(Duration overallTimeout) {
      this.overallTimeout = positive(overallTimeout, "overallTimeout");
      return this;
    }

    /**
     * Backoff between retries: full jitter over base * 2^n, capped (defaults 25 ms and 250 ms). The first
     * redirect to a hinted leader does not wait.
     */
    public Builder backoff(Duration base, Duration cap) {
      this.backoffBase = positive(base, "base");
      this.backoffCap = positive(cap, "cap");
      return this;
    }

    /**
     * The client id in every WriteId (default: random). Its sequences start at 1, so while the cluster
     * still keeps the session of an earlier client with this id (sessions.expire-after), its writes would
     * be taken for that client's retries: reuse an id only after that.
     */
    public Builder clientId(UUID clientId) {
      this.clientId = Objects.requireNonNull(clientId, "clientId");
      return this;
    }

    /**
     * Whether puts, deletes and increments that are outstanding at the same time share {@code KV.Writes}
     * calls (default true): each keeps its own WriteId and outcome, as if sent alone, and a lone write
     * leaves at once; many concurrent writes cost the client and the leader far less CPU. With false,
     * every write is a call of its own.
     */
    public Builder pipelineWrites(boolean pipelineWrites) {
      this.pipelineWrites = pipelineWrites;
      return this;
    }

    /** Source of backoff jitter; pass a seeded Random for reproducible tests. */
    public Builder random(Random random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    private static Duration positive(Duration d, String name) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }

    /** @throws IllegalArgumentException if no endpoint is set, or the backoff cap is below its base */
    public QuorumKvClient build() {
      if (endpoints.isEmpty()) {
        throw new IllegalArgumentException("at least one endpoint is required");
      }
      if (backoffCap.compareTo(backoffBase) < 0) {
        throw new IllegalArgumentException("backoff cap must not be below its base");
      }
      return new QuorumKvClient(this);
    }
  }
}
