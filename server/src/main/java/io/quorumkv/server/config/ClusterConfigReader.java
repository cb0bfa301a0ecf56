package io.quorumkv.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a YAML cluster file (see {@code cluster-config/reference.yaml} for every key and its default).
 * Unknown keys are errors, so a typo never silently falls back to a default. Relative data directories
 * are resolved against the directory the process runs in.
 */
public final class ClusterConfigReader {
  private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private ClusterConfigReader() {}

  public static ClusterConfig read(Path file) {
    JsonNode root;
    try {
      root = YAML.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new ConfigException("cannot read cluster file " + file + ": " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new ConfigException("cluster file " + file + " is empty or not a YAML mapping");
    }
    Section top = new Section("", root, Set.of("cluster", "nodes", "limits", "raft", "log", "sessions",
        "writes", "tls", "membership"));
    Section cluster = top.section("cluster", Set.of("name", "data-dir"));
    String name = cluster.requireText("name");
    Path dataRoot = Path.of(cluster.text("data-dir", "data/" + name));
    return new ClusterConfig(name, readNodes(top, dataRoot), readLimits(top), readRaft(top), readLog(top),
        readSessions(top), readWrites(top), readTls(top), readMembership(top));
  }

  private static TlsSettings readTls(Section top) {
    if (!top.node.has("tls")) {
      return TlsSettings.NONE;
    }
    Section s = top.section("tls", Set.of("ca-file", "cert-file", "key-file", "client-auth"));
    String auth = s.text("client-auth", "none");
    TlsSettings.ClientAuth clientAuth;
    try {
      clientAuth = TlsSettings.ClientAuth.valueOf(auth.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("tls.client-auth: '" + auth + "' is not one of none, optional, require");
    }
    return new TlsSettings(Optional.of(Path.of(s.requireText("ca-file"))), s.requireText("cert-file"),
        s.requireText("key-file"), clientAuth);
  }

  private static List<NodeSpec> readNodes(Section top, Path dataRoot) {
    JsonNode list = top.node.get("nodes");
    if (list == null || !list.isArray() || list.isEmpty()) {
      throw new ConfigException("nodes: a non-empty list of nodes is required");
    }
    List<NodeSpec> nodes = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      Section n = new Section("nodes[" + i + "].", list.get(i),
          Set.of("id", "host", "raft-port", "client-port", "data-dir", "metrics-port"));
      String id = n.requireText("id");
      if (!NODE_ID.matcher(id).matches()) {
        throw new ConfigException("nodes[" + i + "].id: '" + id + "' must be 1-64 letters, digits, '-' or '_'");
      }
      Path dataDir = n.node.has("data-dir") ? Path.of(n.requireText("data-dir")) : dataRoot.resolve(id);
      nodes.add(new NodeSpec(id, n.text("host", "127.0.0.1"), n.port("raft-port"), n.port("client-port"),
          dataDir.toAbsolutePath().normalize(), n.node.has("metrics-port") ? n.port("metrics-port") : 0));
    }
    return nodes;
  }

  private static Limits readLimits(Section top) {
    Limits d = Limits.DEFAULTS;
    Section s = top.section("limits", Set.of("max-key-bytes", "max-value-bytes", "max-batch-operations",
        "max-batch-bytes", "default-scan-limit", "max-scan-limit", "max-scan-page-bytes", "max-message-bytes"));
    return new Limits(
        s.integer("max-key-bytes", d.maxKeyBytes()),
        s.integer("max-value-bytes", d.maxValueBytes()),
        s.integer("max-batch-operations", d.maxBatchOperations()),
        s.integer("max-batch-bytes", d.maxBatchBytes()),
        s.integer("default-scan-limit", d.defaultScanLimit()),
        s.integer("max-scan-limit", d.maxScanLimit()),
        s.integer("max-scan-page-bytes", d.maxScanPageBytes()),
        s.integer("max-message-bytes", d.maxMessageBytes()));
  }

  private static RaftSettings readRaft(Section top) {
    RaftSettings d = RaftSettings.DEFAULTS;
    Section s = top.section("raft", Set.of("election-timeout-min", "election-timeout-max", "request-timeout",
        "retry-cache-expiry", "read-timeout"));
    return new RaftSettings(
        s.duration("election-timeout-min", d.electionTimeoutMin()),
        s.duration("election-timeout-max", d.electionTimeoutMax()),
        s.duration("request-timeout", d.requestTimeout()),
        s.duration("retry-cache-expiry", d.retryCacheExpiry()),
        s.duration("read-timeout", d.readTimeout()));
  }

  private static LogSettings readLog(Section top) {
    LogSettings d = LogSettings.DEFAULTS;
    Section s = top.section("log", Set.of("snapshot-every-entries", "snapshot-every-bytes", "snapshots-retained",
        "purge-keeps-entries", "segment-bytes", "snapshot-install"));
    return new LogSettings(
        s.longInteger("snapshot-every-entries", d.snapshotEveryEntries()),
        s.longInteger("snapshot-every-bytes", d.snapshotEveryBytes()),
        s.integer("snapshots-retained", d.snapshotsRetained()),
        s.longInteger("purge-keeps-entries", d.purgeKeepsEntries()),
        s.longInteger("segment-bytes", d.segmentBytes()),
        SnapshotInstall.fromConfig(s.text("snapshot-install", d.snapshotInstall().configName())));
  }

  private static SessionSettings readSessions(Section top) {
    SessionSettings d = SessionSettings.DEFAULTS;
    Section s = top.section("sessions", Set.of("expire-after", "max-sessions", "max-unanswered-writes"));
    return new SessionSettings(
        s.duration("expire-after", d.expireAfter()),
        s.integer("max-sessions", d.maxSessions()),
        s.integer("max-unanswered-writes", d.maxUnansweredWrites()));
  }

  private static MembershipSettings readMembership(Section top) {
    Section s = top.section("membership", Set.of("min-voters"));
    return new MembershipSettings(s.integer("min-voters", MembershipSettings.DEFAULTS.minVoters()));
  }

  private static WriteSettings readWrites(Section top) {
    WriteSettings d = WriteSettings.DEFAULTS;
    Section s = top.section("writes", Set.of("max-entries-in-flight", "max-writes-per-entry", "max-queued-writes"));
    return new WriteSettings(
        s.integer("max-entries-in-flight", d.maxEntriesInFlight()),
        s.integer("max-writes-per-entry", d.maxWritesPerEntry()),
        s.integer("max-queued-writes", d.maxQueuedWrites()));
  }

  /** A YAML mapping with a fixed set of allowed keys, and typed getters that name the full key in errors. */
  private record Section(String path, JsonNode node, Set<String> allowed) {
    Section {
      if (!node.isObject()) {
        throw new ConfigException(path.isEmpty() ? "top level must be a mapping" : path + " must be a mapping");
      }
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (!allowed.contains(key)) {
          throw new ConfigException("unknown key '" + path + key + "' (allowed: " + allowed + ")");
        }
      }
    }

    Section section(String key, Set<String> keys) {
      JsonNode child = node.get(key);
      return new Section(path + key + ".", child == null || child.isNull()
          ? YAML.createObjectNode() : child, keys);
    }

    String requireText(String key) {
      JsonNode v = node.get(key);
      if (v == null || !v.isValueNode() || v.asText().isBlank()) {
        throw new ConfigException(path + key + " is required");
      }
      return v.asText();
    }

    String text(String key, String fallback) {
      return node.has(key) ? requireText(key) : fallback;
    }

    int integer(String key, int fallback) {
      JsonNode v = node.get(key);
      if (v == null) {
        return fallback;
      }
      if (!v.canConvertToInt() || !v.isIntegralNumber()) {
        throw new ConfigException(path + key + ": '" + v.asText() + "' is not an integer");
      }
      return v.asInt();
    }

    long longInteger(String key, long fallback) {
      JsonNode v = node.get(key);
      if (v == null) {
        return fallback;
      }
      if (!v.isIntegralNumber() || !v.canConvertToLong()) {
        throw new ConfigException(path + key + ": '" + v.asText() + "' is not an integer");
      }
      return v.asLong();
    }

    int port(String key) {
      if (!node.has(key)) {
        throw new ConfigException(path + key + " is required");
      }
      int p = integer(key, 0);
      if (p < 1 || p > 65535) {
        throw new ConfigException(path + key + ": " + p + " is not a TCP port");
      }
      return p;
    }

    Duration duration(String key, Duration fallback) {
      return node.has(key) ? Durations.parse(path + key, requireText(key)) : fallback;
    }
  }
}
