package io.quorumkv.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.quorumkv.proto.v1.Value;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ScanCursorTest {
  private static ScanPage page(int entries, String token) {
    List<Entry> list =
        IntStream.range(0, entries)
            .mapToObj(i -> new Entry(ByteString.copyFromUtf8("k" + i), Value.getDefaultInstance(), 1, 1, 1, 1))
            .toList();
    return new ScanPage(list, ByteString.copyFromUtf8(token), 1);
  }

  @Test
  void unlimitedScanAsksForThePageSizeUntilTheLastPage() {
    ScanCursor cursor = new ScanCursor(ScanOptions.builder().pageSize(3).build());
    assertThat(cursor.nextPageSize()).isEqualTo(3);
    assertThat(cursor.advance(page(3, "t1"))).hasSize(3);
    assertThat(cursor.pageToken().toStringUtf8()).isEqualTo("t1");
    assertThat(cursor.finished()).isFalse();
    assertThat(cursor.advance(page(1, ""))).hasSize(1);
    assertThat(cursor.finished()).isTrue();
  }

  @Test
  void limitTrimsRequestsAndPages() {
    ScanCursor cursor = new ScanCursor(ScanOptions.builder().limit(5).build());
    assertThat(cursor.nextPageSize()).isEqualTo(5);
    assertThat(cursor.advance(page(2, "t1"))).hasSize(2);
    assertThat(cursor.nextPageSize()).isEqualTo(3);
    // A server may return more than asked; the cursor still delivers only up to the limit.
    assertThat(cursor.advance(page(4, "t2"))).hasSize(3);
    assertThat(cursor.finished()).isTrue();
  }
}
