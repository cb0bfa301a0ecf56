package io.quorumkv.statemachine.search;

import io.quorumkv.proto.v1.Filter;
import io.quorumkv.proto.v1.NumericRange;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.index.Term;
import org.apache.lucene.queryparser.classic.MultiFieldQueryParser;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.TermQuery;

/**
 * Turns a search's text and filters into Lucene queries for one index, rejecting what the index cannot
 * answer (fields it does not have, queries that do not parse) with {@link InvalidSearchException}.
 */
final class QueryCompiler {

  private final IndexSchema schema;

  QueryCompiler(IndexSchema schema) {
    this.schema = schema;
  }

  /**
   * The full-text query: Lucene's classic syntax over the index's text fields, terms ANDed by default.
   */
  Query text(String text) {
    List<String> fields = schema.textFields();
    if (fields.isEmpty()) {
      throw new InvalidSearchException("index " + schema.spec().getName() + " has no full-text fields");
    }
    MultiFieldQueryParser parser = new MultiFieldQueryParser(fields.toArray(String[]::new), schema.analyzer());
    parser.setDefaultOperator(QueryParser.Operator.AND);
    parser.setAllowLeadingWildcard(false);
    Query query;
    try {
      query = parser.parse(text);
    } catch (ParseException | IndexSearcher.TooManyClauses e) {
      throw new InvalidSearchException("query does not parse: " + firstLine(e.getMessage()), e);
    }
    Set<String> used = fieldsOf(query);
    used.removeAll(fields);
    if (!used.isEmpty()) {
      throw new InvalidSearchException("query names fields the index does not have as full text: "
          + String.join(", ", used) + " (full-text fields: " + String.join(", ", fields) + ")");
    }
    return query;
  }

  /** A query matching what every filter accepts; match-all for no filters. */
  Query filters(List<Filter> filters) {
    if (filters.isEmpty()) {
      return new MatchAllDocsQuery();
    }
    BooleanQuery.Builder all = new BooleanQuery.Builder();
    for (Filter filter : filters) {
      all.add(filter(filter), BooleanClause.Occur.FILTER);
    }
    return all.build();
  }

  private Query filter(Filter filter) {
    String path = filter.getField();
    return switch (filter.getConditionCase()) {
      case EQUALS -> {
        if (!schema.spec().getKeywordFieldsList().contains(path)) {
          throw new InvalidSearchException("equals filter on " + path + ", which is not a keyword field of index "
              + schema.spec().getName());
        }
        yield new TermQuery(new Term(IndexSchema.keywordField(path), filter.getEquals()));
      }
      case RANGE -> {
        if (!schema.spec().getNumericFieldsList().contains(path)) {
          throw new InvalidSearchException("range filter on " + path + ", which is not a numeric field of index "
              + schema.spec().getName());
        }
        yield range(IndexSchema.numericField(path), filter.getRange());
      }
      case CONDITION_NOT_SET -> throw new InvalidSearchException("filter on " + path + " has no condition");
    };
  }

  private static Query range(String field, NumericRange range) {
    double min = range.hasMin() ? range.getMin() : Double.NEGATIVE_INFINITY;
    double max = range.hasMax() ? range.getMax() : Double.POSITIVE_INFINITY;
    if (range.hasMin() && range.getMinExclusive()) {
      min = Math.nextUp(min);
    }
    if (range.hasMax() && range.getMaxExclusive()) {
      max = Math.nextDown(max);
    }
    return DoublePoint.newRangeQuery(field, min, max);
  }

  private static Set<String> fieldsOf(Query query) {
    Set<String> fields = new HashSet<>();
    query.visit(new QueryVisitor() {
      @Override
      public boolean acceptField(String field) {
        fields.add(field);
        return true;
      }

      @Override
      public QueryVisitor getSubVisitor(BooleanClause.Occur occur, Query parent) {
        return this;
      }
    });
    return fields;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
