package io.quorumkv.client;

import io.quorumkv.proto.v1.Filter;
import io.quorumkv.proto.v1.NumericRange;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A condition a search hit must meet: a keyword field equal to a value, or a numeric field within a
 * range. The field must be one of the index's {@link IndexSpec#keywordFields()} (for {@link #equalTo}) or
 * {@link IndexSpec#numericFields()} (for the ranges); the server fails other fields with {@link
 * InvalidRequestException}. Immutable.
 */
public final class SearchFilter {
  private final String field;
  private final String equalTo;
  private final Double min;
  private final boolean minExclusive;
  private final Double max;
  private final boolean maxExclusive;

  private SearchFilter(
      String field, String equalTo, Double min, boolean minExclusive, Double max, boolean maxExclusive) {
    this.field = Objects.requireNonNull(field, "field");
    if (field.isEmpty()) {
      throw new IllegalArgumentException("filter field must not be empty");
    }
    this.equalTo = equalTo;
    this.min = min;
    this.minExclusive = minExclusive;
    this.max = max;
    this.maxExclusive = maxExclusive;
  }

  /** The keyword field has exactly {@code value} (one of its values, for arrays). */
  public static SearchFilter equalTo(String field, String value) {
    return new SearchFilter(field, Objects.requireNonNull(value, "value"), null, false, null, false);
  }

  /** The numeric field lies in [min, max]. */
  public static SearchFilter range(String field, double min, double max) {
    return range(field, min, false, max, false);
  }

  /**
   * The numeric field lies between min and max, each bound inclusive unless marked exclusive. For an
   * open range use {@link #atLeast}, {@link #greaterThan}, {@link #atMost} or {@link #lessThan}.
   *
   * @throws IllegalArgumentException if a bound is not finite, or min exceeds max
   */
  public static SearchFilter range(
      String field, double min, boolean minExclusive, double max, boolean maxExclusive) {
    return bounded(field, min, minExclusive, max, maxExclusive);
  }

  /** The numeric field is at least {@code min}. */
  public static SearchFilter atLeast(String field, double min) {
    return bounded(field, min, false, null, false);
  }

  /** The numeric field is above {@code min}. */
  public static SearchFilter greaterThan(String field, double min) {
    return bounded(field, min, true, null, false);
  }

  /** The numeric field is at most {@code max}. */
  public static SearchFilter atMost(String field, double max) {
    return bounded(field, null, false, max, false);
  }

  /** The numeric field is below {@code max}. */
  public static SearchFilter lessThan(String field, double max) {
    return bounded(field, null, false, max, true);
  }

  private static SearchFilter bounded(
      String field, Double min, boolean minExclusive, Double max, boolean maxExclusive) {
    if ((min != null && !Double.isFinite(min)) || (max != null && !Double.isFinite(max))) {
      throw new IllegalArgumentException("range bounds must be finite numbers");
    }
    if (min != null && max != null && min > max) {
      throw new IllegalArgumentException("range min " + min + " exceeds max " + max);
    }
    return new SearchFilter(field, null, min, minExclusive, max, maxExclusive);
  }

  public String field() {
    return field;
  }

  /** The value an equality filter asks for; empty for a range. */
  public Optional<String> equalToValue() {
    return Optional.ofNullable(equalTo);
  }

  /** True for a numeric range filter. */
  public boolean isRange() {
    return equalTo == null;
  }

  /** The lower bound of a range filter; empty if open (or not a range). */
  public OptionalDouble min() {
    return min == null ? OptionalDouble.empty() : OptionalDouble.of(min);
  }

  /** The upper bound of a range filter; empty if open (or not a range). */
  public OptionalDouble max() {
    return max == null ? OptionalDouble.empty() : OptionalDouble.of(max);
  }

  public boolean minExclusive() {
    return minExclusive;
  }

  public boolean maxExclusive() {
    return maxExclusive;
  }

  Filter toProto() {
    Filter.Builder filter = Filter.newBuilder().setField(field);
    if (equalTo != null) {
      return filter.setEquals(equalTo).build();
    }
    NumericRange.Builder range =
        NumericRange.newBuilder().setMinExclusive(minExclusive).setMaxExclusive(maxExclusive);
    if (min != null) {
      range.setMin(min);
    }
    if (max != null) {
      range.setMax(max);
    }
    return filter.setRange(range).build();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SearchFilter other
        && field.equals(other.field)
        && Objects.equals(equalTo, other.equalTo)
        && Objects.equals(min, other.min)
        && minExclusive == other.minExclusive
        && Objects.equals(max, other.max)
        && maxExclusive == other.maxExclusive;
  }

  @Override
  public int hashCode() {
    return Objects.hash(field, equalTo, min, minExclusive, max, maxExclusive);
  }

  @Override
  public String toString() {
    if (equalTo != null) {
      return field + "=" + equalTo;
    }
    return field
        + " in "
        + (min == null ? "(-inf" : (minExclusive ? "(" : "[") + min)
        + ", "
        + (max == null ? "+inf)" : max + (maxExclusive ? ")" : "]"));
  }
}
