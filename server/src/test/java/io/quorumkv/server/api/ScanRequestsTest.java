package io.quorumkv.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.v1.ErrorCode;
import io.quorumkv.proto.v1.ScanRequest;
import io.quorumkv.server.config.Limits;
import io.quorumkv.server.errors.KvError;
import org.junit.jupiter.api.Test;

class ScanRequestsTest {
  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  @Test
  void prefixBecomesAHalfOpenRangeWithDefaultLimit() {
    ScanRequests.Page page = ScanRequests.page(ScanRequest.newBuilder().setPrefix(b("ab")).build(), Limits.DEFAULTS);
    assertThat(page.range().startInclusive()).isEqualTo(b("ab"));
    assertThat(page.range().endExclusive()).isEqualTo(b("ac"));
    assertThat(page.limit()).isEqualTo(Limits.DEFAULTS.defaultScanLimit());
  }

  @Test
  void pageTokenResumesStrictlyAfterTheLastKey() {
    ScanRequest first = ScanRequest.newBuilder().setStart(b("a")).setEnd(b("z")).setLimit(7).build();
    ScanRequest next = first.toBuilder().setPageToken(ScanRequests.tokenAfter(b("m"))).build();
    ScanRequests.Page page = ScanRequests.page(next, Limits.DEFAULTS);
    assertThat(page.range().startInclusive()).isEqualTo(b("m").concat(ByteString.copyFrom(new byte[] {0})));
    assertThat(page.range().endExclusive()).isEqualTo(b("z"));
    assertThat(page.limit()).isEqualTo(7);
  }

  @Test
  void limitIsUnsignedAndAboveTheMaximumIsInvalidWhateverItsSize() {
    for (long limit : new long[] {(1L << 32) - 1, (1L << 31) + 5, Limits.DEFAULTS.maxScanLimit() + 1L}) {
      ScanRequest request = ScanRequest.newBuilder().setLimit((int) limit).build();
      assertThatThrownBy(() -> ScanRequests.page(request, Limits.DEFAULTS))
          .isInstanceOfSatisfying(KvError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
          .hasMessage("limit " + limit + " exceeds the maximum page size " + Limits.DEFAULTS.maxScanLimit());
    }
    ScanRequest largest = ScanRequest.newBuilder().setLimit(Limits.DEFAULTS.maxScanLimit()).build();
    assertThat(ScanRequests.page(largest, Limits.DEFAULTS).limit()).isEqualTo(Limits.DEFAULTS.maxScanLimit());
  }

  @Test
  void rejectsInconsistentRequests() {
    assertThatThrownBy(() -> ScanRequests.page(ScanRequest.newBuilder().setPrefix(b("p")).setStart(b("a")).build(),
        Limits.DEFAULTS)).hasMessageContaining("either prefix or start/end");
    assertThatThrownBy(() -> ScanRequests.page(ScanRequest.newBuilder().setStart(b("b")).setEnd(b("a")).build(),
        Limits.DEFAULTS)).hasMessageContaining("start must not be greater");
    assertThatThrownBy(() -> ScanRequests.page(ScanRequest.newBuilder().setLimit(10_001).build(), Limits.DEFAULTS))
        .hasMessageContaining("exceeds");
    assertThatThrownBy(() -> ScanRequests.page(ScanRequest.newBuilder().setPageToken(b("garbage\u00ff")).build(),
        Limits.DEFAULTS)).hasMessageContaining("page_token");
    assertThatThrownBy(() -> ScanRequests.page(ScanRequest.newBuilder().setPrefix(b("p"))
        .setPageToken(ScanRequests.tokenAfter(b("q1"))).build(), Limits.DEFAULTS))
        .hasMessageContaining("does not belong");
  }
}
