package io.quorumkv.client;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.v1.ScanRequest;
import java.util.Objects;

/**
 * Which keys a scan lists: by prefix, or by the range [start, end), not both; nothing set means every
 * key. Immutable; build with {@link #builder()}, or use {@link #all()} / {@link #prefix(String)}.
 */
public final class ScanOptions {
  private final ByteString prefix;
  private final ByteString start;
  private final ByteString end;
  private final int pageSize;
  private final long limit;
  private final boolean keysOnly;
  private final ReadOptions read;

  private ScanOptions(Builder b) {
    this.prefix = b.prefix;
    this.start = b.start;
    this.end = b.end;
    this.pageSize = b.pageSize;
    this.limit = b.limit;
    this.keysOnly = b.keysOnly;
    this.read = b.read;
  }

  /** Every key, linearizable, server-default page size. */
  public static ScanOptions all() {
    return builder().build();
  }

  /** Every key starting with the UTF-8 bytes of {@code prefix}. */
  public static ScanOptions prefix(String prefix) {
    return builder().prefix(prefix).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Total number of entries the iterating scans ({@code scanAll}, {@code scanForEach}) deliver; 0 means
   * no limit. Single-page calls ignore it.
   */
  public long limit() {
    return limit;
  }

  /** Entries asked for per page; 0 means the server default (1000). */
  public int pageSize() {
    return pageSize;
  }

  /** The request for one page, asking for at most {@code maxEntries} (0: server default). */
  ScanRequest toRequest(ByteString pageToken, int maxEntries) {
    return ScanRequest.newBuilder()
        .setPrefix(prefix)
        .setStart(start)
        .setEnd(end)
        .setLimit(maxEntries)
        .setPageToken(pageToken)
        .setKeysOnly(keysOnly)
        .setRead(read.toProto())
        .build();
  }

  /** Not thread-safe. */
  public static final class Builder {
    private ByteString prefix = ByteString.EMPTY;
    private ByteString start = ByteString.EMPTY;
    private ByteString end = ByteString.EMPTY;
    private int pageSize;
    private long limit;
    private boolean keysOnly;
    private ReadOptions read = ReadOptions.linearizable();

    private Builder() {}

    public Builder prefix(String prefix) {
      return prefix(Keys.utf8(prefix));
    }

    public Builder prefix(ByteString prefix) {
      this.prefix = Objects.requireNonNull(prefix, "prefix");
      return this;
    }

    /** First key of the range, inclusive; empty means from the first key. */
    public Builder start(String start) {
      return start(Keys.utf8(start));
    }

    public Builder start(ByteString start) {
      this.start = Objects.requireNonNull(start, "start");
      return this;
    }

    /** End of the range, exclusive; empty means to the last key. */
    public Builder end(String end) {
      return end(Keys.utf8(end));
    }

    public Builder end(ByteString end) {
      this.end = Objects.requireNonNull(end, "end");
      return this;
    }

    /** Entries per page, 0 (server default, 1000) .. 10000. */
    public Builder pageSize(int pageSize) {
      if (pageSize < 0) {
        throw new IllegalArgumentException("pageSize must be >= 0: " + pageSize);
      }
      this.pageSize = pageSize;
      return this;
    }

    /** Total entries delivered by the iterating scans; 0 means no limit. */
    public Builder limit(long limit) {
      if (limit < 0) {
        throw new IllegalArgumentException("limit must be >= 0: " + limit);
      }
      this.limit = limit;
      return this;
    }

    /** Return keys and indexes but no values. */
    public Builder keysOnly(boolean keysOnly) {
      this.keysOnly = keysOnly;
      return this;
    }

    public Builder read(ReadOptions read) {
      this.read = Objects.requireNonNull(read, "read");
      return this;
    }

    /** @throws IllegalArgumentException if both a prefix and a range bound are set */
    public ScanOptions build() {
      if (!prefix.isEmpty() && !(start.isEmpty() && end.isEmpty())) {
        throw new IllegalArgumentException("scan by prefix or by range, not both");
      }
      return new ScanOptions(this);
    }
  }
}
