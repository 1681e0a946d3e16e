/**
 * ETL jobs: the model ({@link dev.basin.etl.job.JobDefinition} and its nodes), the YAML/JSON reader
 * and writer ({@link dev.basin.etl.job.JobParser}), and the compiler to DuckDB SQL ({@link
 * dev.basin.etl.job.JobCompiler}). Running a compiled job (bookmarks, writing targets, evaluating
 * data quality) is the business of {@code dev.basin.etl.run}.
 *
 * <h2>A job</h2>
 *
 * <pre>{@code
 * name: spotify_join                  # [A-Za-z0-9][A-Za-z0-9_.-]*, at most 255 characters
 * description: tracks joined to albums and artists
 * settings:                           # all optional
 *   timeout: 30m                      # 250ms, 5s, 30m, 24h, 7d, ISO-8601, or a number of minutes; default 48h
 *   maxRetries: 1                     # default 0
 *   bookmarks: enable                 # enable | disable (default) | pause
 *   maxConcurrentRuns: 1              # default 1
 * arguments: {source_bucket: raw}     # defaults for ${name} placeholders; run arguments win
 * nodes:
 *   - id: tracks                      # [a-z_][a-z0-9_]{0,62}: unique; also the SQL relation name
 *     type: source
 *     prefix:                         # files: uri (s3://bucket/prefix/ or one object), format csv|json|parquet
 *       uri: s3://${source_bucket}/spotify/tracks/
 *       format: csv
 *       options: {header: true, delimiter: ","}   # passed to the runner's reader as text
 *   - id: albums
 *     type: source
 *     catalog: {database: raw_db, table: albums}   # an Iceberg or external table
 *   - id: joined
 *     type: Join
 *     inputs: [tracks, albums]        # [left, right]
 *     joinType: inner                 # inner | left | right | full (outer) | semi | anti
 *     on: [{left: album_id, right: album_id}]      # right defaults to left
 *     dropDuplicateColumns: true      # drop right join keys named like their left key
 *   - id: cleaned
 *     type: DropFields
 *     input: joined                   # one input: input: id, or inputs: [id]
 *     columns: [albums_artist_id]     # right columns named like a left column get the prefix <right id>_
 *   - id: checked
 *     type: DataQuality
 *     input: cleaned
 *     rules: |
 *       Rules = [ IsComplete "track_id", ColumnValues "duration_ms" > 0 ]
 *     action: quarantine              # fail (default) | quarantine | warn
 *     quarantine: s3://processed/quarantine/spotify/   # required for quarantine
 *     references: {}                  # DQDL reference name -> node id, for ReferentialIntegrity
 *   - id: lake
 *     type: target
 *     input: checked
 *     iceberg: {database: lake, table: spotify, mode: merge, keys: [track_id], partitionBy: ["day(release_date)"]}
 *     # mode append (default) | overwrite | merge (needs keys); createIfMissing: true (default)
 *   - id: files
 *     type: target
 *     input: checked
 *     prefix: {uri: s3://processed/spotify/, format: parquet, compression: zstd, partitionKeys: [genre],
 *              register: {database: processed, table: spotify}}
 *     # format parquet (default) | csv | json; compression parquet: snappy (default) | zstd | gzip | none,
 *     # csv/json: none (default) | gzip | zstd
 * }</pre>
 *
 * <h2>Transforms</h2>
 *
 * <p>Every transform node has {@code id}, {@code type}, and {@code input} or {@code inputs}. Type
 * names are case-insensitive; Glue's {@code ChangeSchema}, {@code SparkSQL} and {@code
 * EvaluateDataQuality} are accepted as aliases. Column names match case-insensitively.
 *
 * <pre>{@code
 * - {type: ApplyMapping, mappings: [{from: id, to: sale_id, type: BIGINT}, {from: price}]}  # unmapped columns are dropped
 * - {type: RenameField, from: qty, to: quantity}
 * - {type: Cast, columns: {qty: INTEGER, price: "DECIMAL(10,2)"}}
 * - {type: SelectFields, columns: [id, store]}
 * - {type: DropFields, columns: [day]}
 * - {type: Filter, condition: "qty > 0 AND store <> 'x'"}                # a SQL boolean expression, or:
 * - {type: Filter, logic: or, conditions: [{column: store, op: in, value: [a, b]}, {column: price, op: is null}]}
 *     # op: = != < <= > >= in, not in, like, not like, is null, is not null; values are cast to the column's type
 * - {type: Join, inputs: [l, r], joinType: left, on: [{left: k, right: k}], dropDuplicateColumns: false}
 * - {type: DropDuplicates}                                               # rows equal in every column
 * - {type: DropDuplicates, keys: [id], orderBy: [updated_at], keep: last}   # keep: first (default) | last
 * - {type: Aggregate, groupBy: [store], aggregations: [{function: count, as: n}, {column: qty, function: sum, as: units}]}
 *     # function: count count_distinct sum avg min max stddev first last; as defaults to <function>_<column>
 * - {type: Union, inputs: [a, b], byName: true, distinct: false}        # byName fills missing columns with NULL
 * - {type: DerivedColumn, name: revenue, expression: "qty * price"}    # replaces a column of that name in place
 * - {type: FillMissingValues, fills: [{column: qty, strategy: mean}, {column: city, value: unknown}]}
 *     # strategy: constant (with value) | mean | median | mode; the fill is cast to the column's type
 * - {type: Pivot, groupBy: [store], pivotColumn: day, valueColumn: qty, aggregation: sum, values: ['2024-01-01', '2024-01-02']}
 * - {type: Unpivot, columns: [q1, q2], nameColumn: quarter, valueColumn: amount, dropNulls: false}
 * - {type: Sql, inputs: [orders, customers], sql: "SELECT ... FROM orders JOIN customers USING (customer_id)"}
 * }</pre>
 *
 * <p>Expressions and Sql queries are DuckDB SQL, one expression or query each: a {@code ;} outside
 * quotes, unbalanced parentheses or an unclosed literal or comment is rejected. A Sql query reads
 * its inputs by node id. Placeholders <code>${name}</code> may appear in any string field of a node
 * except {@code id}, {@code type} and enum fields; they are substituted when the job is compiled.
 *
 * <h2>Errors</h2>
 *
 * <p>Every problem is a {@link dev.basin.etl.job.JobValidationException} whose message names the
 * node, its type and the field or column, e.g. {@code node 'joined' (Join): on[0].right: column
 * 'album_idd' is not in input 'albums' (did you mean 'album_id'?) (columns: album_id, title); check
 * the spelling or add a rename before the join}. Parse errors start with the YAML position, {@code
 * line 12:5: }.
 */
package dev.basin.etl.job;
