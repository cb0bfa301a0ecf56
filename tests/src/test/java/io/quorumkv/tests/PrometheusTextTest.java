package io.quorumkv.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The strict reader MetricsIT checks the endpoint with accepts the format and nothing else. */
class PrometheusTextTest {

  @Test
  void readsTypedSamplesWithLabels() {
    List<PrometheusText.Sample> samples = PrometheusText.parse("""
        # HELP a_total Calls.
        # TYPE a counter
        a_total{method="KV/Put",code="OK"} 3.0
        # TYPE h histogram
        h_bucket{le="+Inf"} 2
        h_count 2
        """);
    assertThat(samples).hasSize(3);
    assertThat(samples.get(0).labels()).containsEntry("method", "KV/Put").containsEntry("code", "OK");
    assertThat(samples.get(1).value()).isEqualTo(2);
  }

  @Test
  void rejectsWhatIsNotTheFormat() {
    assertThatThrownBy(() -> PrometheusText.parse("x 1\n")).hasMessageContaining("untyped family");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE x gauge\nx{a=1} 1\n")).hasMessageContaining("bad labels");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE x gauge\nx one\n")).hasMessageContaining("bad value");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE x gauge\n# TYPE x gauge\n")).hasMessageContaining("TYPE");
  }
}
