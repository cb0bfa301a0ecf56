package io.quorumkv.server.api;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.quorumkv.proto.internal.ScanPageToken;
import io.quorumkv.proto.v1.ScanRequest;
import io.quorumkv.server.config.Limits;
import io.quorumkv.server.errors.KvError;
import io.quorumkv.statemachine.read.KeyRange;

/** Turns a ScanRequest (prefix or range, page token, limit) into the range and size of one page. */
final class ScanRequests {
  private static final ByteString ZERO = ByteString.copyFrom(new byte[] {0});

  /** What one page reads: keys in {@code range}, at most {@code limit} of them. */
  record Page(KeyRange range, int limit) {}

  private ScanRequests() {}

  static Page page(ScanRequest request, Limits limits) {
    KeyRange whole = wholeRange(request);
    int limit = limit(request, limits);
    if (request.getPageToken().isEmpty()) {
      return new Page(whole, limit);
    }
    ByteString after = afterKey(request.getPageToken());
    boolean insideRange = ByteString.unsignedLexicographicalComparator().compare(after, whole.startInclusive()) >= 0
        && (whole.endExclusive().isEmpty()
            || ByteString.unsignedLexicographicalComparator().compare(after, whole.endExclusive()) < 0);
    if (!insideRange) {
      throw KvError.invalid("page_token does not belong to this scan (were prefix/start/end changed?)");
    }
    // The smallest key strictly greater than `after` is `after` followed by a zero byte.
    return new Page(new KeyRange(after.concat(ZERO), whole.endExclusive()), limit);
  }

  /** The page size; {@code limit} is a uint32 on the wire, so Java's int reads values above 2^31 as negative. */
  private static int limit(ScanRequest request, Limits limits) {
    long requested = Integer.toUnsignedLong(request.getLimit());
    if (requested == 0) {
      return limits.defaultScanLimit();
    }
    if (requested > limits.maxScanLimit()) {
      throw KvError.invalid("limit " + requested + " exceeds the maximum page size " + limits.maxScanLimit());
    }
    return (int) requested;
  }

  static ByteString tokenAfter(ByteString lastKey) {
    return ScanPageToken.newBuilder().setAfterKey(lastKey).build().toByteString();
  }

  private static KeyRange wholeRange(ScanRequest request) {
    boolean hasRange = !request.getStart().isEmpty() || !request.getEnd().isEmpty();
    if (!request.getPrefix().isEmpty() && hasRange) {
      throw KvError.invalid("set either prefix or start/end, not both");
    }
    if (!hasRange) {
      return KeyRange.prefix(request.getPrefix());
    }
    if (!request.getEnd().isEmpty()
        && ByteString.unsignedLexicographicalComparator().compare(request.getStart(), request.getEnd()) > 0) {
      throw KvError.invalid("start must not be greater than end");
    }
    return new KeyRange(request.getStart(), request.getEnd());
  }

  private static ByteString afterKey(ByteString token) {
    try {
      ScanPageToken parsed = ScanPageToken.parseFrom(token);
      if (parsed.getAfterKey().isEmpty()) {
        throw KvError.invalid("page_token is malformed");
      }
      return parsed.getAfterKey();
    } catch (InvalidProtocolBufferException e) {
      throw KvError.invalid("page_token is malformed");
    }
  }
}
