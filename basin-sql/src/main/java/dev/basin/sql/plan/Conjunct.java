package dev.basin.sql.plan;

import java.util.List;

/**
 * A simple predicate from a query's WHERE clause that one table's rows must satisfy: {@code column
 * op value} (or {@code IN}, {@code BETWEEN} as two conjuncts). Used to prune files and partitions;
 * DuckDB still evaluates the full WHERE clause.
 *
 * @param qualifier the table name or alias the column was qualified with, or null
 * @param column the column name
 * @param op one of {@code = < <= > >= IN}
 * @param values the literal(s): Long, java.math.BigDecimal, Double, String, Boolean
 */
public record Conjunct(String qualifier, String column, String op, List<Object> values) {}
