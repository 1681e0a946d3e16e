package dev.basin.sql.service;

import java.util.List;

/**
 * One page of a query's result rows.
 *
 * @param columns the result's columns (empty for statements that return no rows)
 * @param rows the data rows (no header row); a value is null for SQL NULL, otherwise its text in
 *     Athena's CSV form
 * @param nextToken pass it back for the next page; null on the last page
 * @param updateCount rows written by a write statement, -1 otherwise
 */
public record ResultPage(
    List<ResultColumn> columns, List<List<String>> rows, String nextToken, long updateCount) {}
