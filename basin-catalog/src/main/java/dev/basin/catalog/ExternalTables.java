package dev.basin.catalog;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.basin.common.error.BasinException;
import dev.basin.common.json.Json;
import dev.basin.spi.storage.ObjectStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.jdbc.JdbcCatalog;

/**
 * External tables in Glue's model: the definition of data that stays in its own files (CSV, JSON,
 * Parquet) under an {@code s3://} location, with partitions and a history of versions. Kept in
 * Basin's own tables in the catalog's JDBC database. A table name is unique in its database across
 * Iceberg tables, views and external tables.
 *
 * <p>Every update archives the previous definition under its version id. Thread-safe; concurrent
 * updates of one table are serialized by the database, and an update that names an expected version
 * fails with {@code CONCURRENT_MODIFICATION} if another update came first. Every method throws
 * {@link BasinException} with a {@link CatalogErrorCode}.
 */
public final class ExternalTables {
  private static final Pattern DELIMITER =
      Pattern.compile("(?s).|\\\\[tnr\\\\]|\\\\u[0-9a-fA-F]{4}|\\\\[0-7]{3}");
  private static final Set<String> DELIMITER_PARAMETERS =
      Set.of(
          "field.delim",
          "separatorChar",
          "quoteChar",
          "escapeChar",
          "escape.delim",
          "collection.delim",
          "mapkey.delim",
          "line.delim",
          "serialization.format");
  private static final Set<String> COUNT_PARAMETERS =
      Set.of("skip.header.line.count", "skip.footer.line.count");
  private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() {};
  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};
  private static final int UPDATE_ATTEMPTS = 10;

  private final MetadataDatabase db;
  private JdbcCatalog iceberg;
  private final ObjectStore store;
  private final Clock clock;

  ExternalTables(MetadataDatabase db, ObjectStore store, Clock clock) {
    this.db = db;
    this.store = store;
    this.clock = clock;
  }

  /** Set once the Iceberg catalog exists (it needs this object to exist first). */
  void bind(JdbcCatalog catalog) {
    this.iceberg = catalog;
  }

  /** The definition as stored in the {@code definition} column. */
  record Definition(
      String description,
      List<Column> columns,
      List<Column> partitionKeys,
      String location,
      DataFormat format,
      String serdeLibrary,
      Map<String, String> serdeParameters,
      Map<String, String> parameters) {}

  /**
   * Creates an external table at version "1".
   *
   * @throws BasinException {@code DATABASE_NOT_FOUND}, {@code TABLE_ALREADY_EXISTS} (also when an
   *     Iceberg table or view has the name), {@code INVALID_NAME}, {@code INVALID_TYPE}, {@code
   *     INVALID_LOCATION}, {@code INVALID_INPUT}
   */
  public ExternalTable create(String database, TableInput input) {
    requireDatabase(database);
    Definition def = validate(input);
    String name = input.name();
    TableIdentifier id = TableIdentifier.of(Namespace.of(database), name);
    if (iceberg.tableExists(id) || iceberg.viewExists(id)) {
      throw alreadyExists(database, name, "an Iceberg table or view has that name");
    }
    long now = clock.millis();
    db.transaction(
        c -> {
          insertTable(c, database, name, def, now);
          return null;
        });
    return get(database, name);
  }

  private static void insertTable(
      Connection c, String database, String name, Definition def, long now) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO basin_external_tables (database_name, table_name, version_id,"
                + " location, definition, create_time, update_time)"
                + " VALUES (?, ?, 1, ?, ?, ?, ?)")) {
      ps.setString(1, database);
      ps.setString(2, name);
      ps.setString(3, def.location());
      ps.setString(4, Json.write(def));
      ps.setLong(5, now);
      ps.setLong(6, now);
      ps.executeUpdate();
    } catch (SQLException e) {
      if (MetadataDatabase.isConstraintViolation(e)) {
        throw alreadyExists(database, name, "an external table has that name");
      }
      throw e;
    }
  }

  /**
   * @throws BasinException {@code TABLE_NOT_FOUND}
   */
  public ExternalTable get(String database, String name) {
    return find(database, name).orElseThrow(() -> notFound(database, name));
  }

  public Optional<ExternalTable> find(String database, String name) {
    Names.require("database", database);
    Names.require("table", name);
    return db.read(c -> findIn(c, database, name));
  }

  private Optional<ExternalTable> findIn(Connection c, String database, String name)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT version_id, definition, create_time, update_time"
                + " FROM basin_external_tables WHERE database_name = ? AND table_name = ?")) {
      ps.setString(1, database);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(
            toTable(database, name, rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4)));
      }
    }
  }

  boolean exists(String database, String name) {
    return db.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT 1 FROM basin_external_tables WHERE database_name = ? AND table_name = ?")) {
            ps.setString(1, database);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next();
            }
          }
        });
  }

  /**
   * The database's external tables, by name.
   *
   * @throws BasinException {@code DATABASE_NOT_FOUND}
   */
  public List<ExternalTable> list(String database) {
    requireDatabase(database);
    return db.read(
        c -> {
          List<ExternalTable> result = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT table_name, version_id, definition, create_time, update_time"
                      + " FROM basin_external_tables WHERE database_name = ? ORDER BY table_name")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                result.add(
                    toTable(
                        database,
                        rs.getString(1),
                        rs.getLong(2),
                        rs.getString(3),
                        rs.getLong(4),
                        rs.getLong(5)));
              }
            }
          }
          return result;
        });
  }

  /** The names of a database's external tables (no existence check of the database). */
  List<String> names(String database) {
    return db.read(
        c -> {
          List<String> result = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT table_name FROM basin_external_tables WHERE database_name = ?"
                      + " ORDER BY table_name")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                result.add(rs.getString(1));
              }
            }
          }
          return result;
        });
  }

  /**
   * Replaces a table's definition, archiving the current one under its version id. Retries
   * internally when another update comes first.
   *
   * @return the table at its new version
   * @throws BasinException {@code TABLE_NOT_FOUND}, validation codes as {@link #create}
   */
  public ExternalTable update(String database, TableInput input) {
    return update(database, input, null);
  }

  /**
   * Replaces a table's definition if its current version is {@code expectedVersionId} (Glue's
   * {@code VersionId} for optimistic locking); null for any version.
   *
   * @throws BasinException {@code CONCURRENT_MODIFICATION} when the current version differs, and as
   *     {@link #update(String, TableInput)}
   */
  public ExternalTable update(String database, TableInput input, String expectedVersionId) {
    Names.require("database", database);
    Definition def = validate(input);
    String name = input.name();
    for (int attempt = 1; ; attempt++) {
      try {
        updateOnce(database, name, def, expectedVersionId);
        return get(database, name);
      } catch (BasinException e) {
        if (e.code() != CatalogErrorCode.CONCURRENT_MODIFICATION
            || expectedVersionId != null
            || attempt >= UPDATE_ATTEMPTS) {
          throw e;
        }
        try {
          Thread.sleep(
              java.util.concurrent.ThreadLocalRandom.current().nextInt(1, 5 * attempt + 2));
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private void updateOnce(String database, String name, Definition def, String expected) {
    long now = clock.millis();
    db.transaction(
        c -> {
          replaceTable(c, database, name, def, expected, now);
          return null;
        });
  }

  /** Archives the current definition and writes {@code def} as the next version. */
  private static void replaceTable(
      Connection c, String database, String name, Definition def, String expected, long now)
      throws SQLException {
    long version;
    String oldDefinition;
    long oldUpdate;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT version_id, definition, update_time FROM basin_external_tables"
                + " WHERE database_name = ? AND table_name = ?")) {
      ps.setString(1, database);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw notFound(database, name);
        }
        version = rs.getLong(1);
        oldDefinition = rs.getString(2);
        oldUpdate = rs.getLong(3);
      }
    }
    if (expected != null && !expected.equals(Long.toString(version))) {
      throw concurrent(database, name, expected, version);
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO basin_external_table_versions (database_name, table_name,"
                + " version_id, definition, update_time, archive_time)"
                + " VALUES (?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, database);
      ps.setString(2, name);
      ps.setLong(3, version);
      ps.setString(4, oldDefinition);
      ps.setLong(5, oldUpdate);
      ps.setLong(6, now);
      ps.executeUpdate();
    } catch (SQLException e) {
      if (MetadataDatabase.isConstraintViolation(e)) {
        throw concurrent(database, name, Long.toString(version), version + 1);
      }
      throw e;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE basin_external_tables SET version_id = ?, location = ?, definition = ?,"
                + " update_time = ? WHERE database_name = ? AND table_name = ?"
                + " AND version_id = ?")) {
      ps.setLong(1, version + 1);
      ps.setString(2, def.location());
      ps.setString(3, Json.write(def));
      ps.setLong(4, now);
      ps.setString(5, database);
      ps.setString(6, name);
      ps.setLong(7, version);
      if (ps.executeUpdate() != 1) {
        throw concurrent(database, name, Long.toString(version), version + 1);
      }
    }
  }

  /**
   * Deletes a table with its partitions and versions. The data files stay.
   *
   * @throws BasinException {@code TABLE_NOT_FOUND}
   */
  public void delete(String database, String name) {
    Names.require("database", database);
    Names.require("table", name);
    boolean deleted = db.transaction(c -> deleteTable(c, database, name));
    if (!deleted) {
      throw notFound(database, name);
    }
  }

  private static boolean deleteTable(Connection c, String database, String name)
      throws SQLException {
    int n =
        deleteWhere(
            c, "basin_external_tables", "database_name = ? AND table_name = ?", database, name);
    deleteWhere(
        c, "basin_external_table_versions", "database_name = ? AND table_name = ?", database, name);
    deleteWhere(
        c, "basin_external_partitions", "database_name = ? AND table_name = ?", database, name);
    return n > 0;
  }

  /** Work on a {@link Batch}: everything it does commits together, or nothing does. */
  @FunctionalInterface
  public interface BatchWork<T> {
    T run(Batch batch) throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction of the catalog database: every table create, update and
   * delete and every partition add and delete it makes through its {@link Batch} commits together
   * with whatever it writes through {@link Batch#connection()}, or none of it does. The same
   * validation and version archiving as the single-table methods apply. The work may be run again
   * from the start when the database reports a transient lock conflict, so it must not have side
   * effects outside the batch.
   *
   * @throws BasinException the first failure of the work, after rolling everything back
   */
  public <T> T batch(BatchWork<T> work) {
    return db.transaction(c -> work.run(new Batch(c, clock.millis())));
  }

  /**
   * Runs read-only {@code work} on a connection of the catalog database (for components that keep
   * their own tables in it, such as the crawler).
   */
  public <T> T read(dev.basin.common.jdbc.JdbcStore.Work<T> work) {
    return db.read(work);
  }

  /**
   * Changes to external tables inside one transaction (see {@link ExternalTables#batch}). Not
   * thread-safe; valid only while the work runs.
   */
  public final class Batch {
    private final Connection c;
    private final long now;

    private Batch(Connection c, long now) {
      this.c = c;
      this.now = now;
    }

    /** The transaction's connection, for writes that must commit with the batch. */
    public Connection connection() {
      return c;
    }

    /** The table as this transaction sees it. */
    public Optional<ExternalTable> find(String database, String name) throws SQLException {
      return findIn(c, database, name);
    }

    /**
     * Creates a table at version "1", as {@link ExternalTables#create}.
     *
     * @throws BasinException as {@link ExternalTables#create}
     */
    public ExternalTable create(String database, TableInput input) throws SQLException {
      requireDatabase(database);
      Definition def = validate(input);
      TableIdentifier id = TableIdentifier.of(Namespace.of(database), input.name());
      if (iceberg.tableExists(id) || iceberg.viewExists(id)) {
        throw alreadyExists(database, input.name(), "an Iceberg table or view has that name");
      }
      insertTable(c, database, input.name(), def, now);
      return findIn(c, database, input.name()).orElseThrow();
    }

    /**
     * Replaces a table's definition, archiving the current one, if its version is {@code
     * expectedVersionId} (null: any version).
     *
     * @throws BasinException {@code TABLE_NOT_FOUND}, {@code CONCURRENT_MODIFICATION}, validation
     *     codes as {@link ExternalTables#create}
     */
    public ExternalTable update(String database, TableInput input, String expectedVersionId)
        throws SQLException {
      Definition def = validate(input);
      replaceTable(c, database, input.name(), def, expectedVersionId, now);
      return findIn(c, database, input.name()).orElseThrow();
    }

    /**
     * Deletes a table with its partitions and versions if its version is {@code expectedVersionId}
     * (null: any version).
     *
     * @throws BasinException {@code TABLE_NOT_FOUND}, {@code CONCURRENT_MODIFICATION}
     */
    public void delete(String database, String name, String expectedVersionId) throws SQLException {
      ExternalTable t = findIn(c, database, name).orElseThrow(() -> notFound(database, name));
      if (expectedVersionId != null && !expectedVersionId.equals(t.versionId())) {
        throw concurrent(database, name, expectedVersionId, Long.parseLong(t.versionId()));
      }
      deleteTable(c, database, name);
    }

    /**
     * Adds a partition.
     *
     * @throws BasinException {@code TABLE_NOT_FOUND}, {@code PARTITION_ALREADY_EXISTS}, {@code
     *     INVALID_INPUT}, {@code INVALID_LOCATION}
     */
    public void addPartition(String database, String table, PartitionInput input)
        throws SQLException {
      ExternalTable t = findIn(c, database, table).orElseThrow(() -> notFound(database, table));
      String location = partitionLocation(t, input);
      insertPartition(c, database, table, valuesKey(t, input.values()), location, input, now);
    }

    /**
     * Deletes a partition.
     *
     * @throws BasinException {@code TABLE_NOT_FOUND}, {@code PARTITION_NOT_FOUND}
     */
    public void deletePartition(String database, String table, List<String> values)
        throws SQLException {
      ExternalTable t = findIn(c, database, table).orElseThrow(() -> notFound(database, table));
      int n =
          deleteWhere(
              c,
              "basin_external_partitions",
              "database_name = ? AND table_name = ? AND partition_values = ?",
              database,
              table,
              valuesKey(t, values));
      if (n == 0) {
        throw partitionNotFound(database, table, values);
      }
    }

    /** A table's partitions as this transaction sees them, ordered by their values. */
    public List<Partition> partitions(String database, String table) throws SQLException {
      List<Partition> result = new ArrayList<>();
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT partition_values, location, parameters, create_time, update_time"
                  + " FROM basin_external_partitions WHERE database_name = ? AND table_name = ?"
                  + " ORDER BY partition_values")) {
        ps.setString(1, database);
        ps.setString(2, table);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            result.add(toPartition(database, table, rs));
          }
        }
      }
      return result;
    }
  }

  /** Deletes every external table of a database (for a cascading database drop). */
  void deleteAll(String database) {
    db.transaction(
        c -> {
          deleteWhere(c, "basin_external_tables", "database_name = ?", database);
          deleteWhere(c, "basin_external_table_versions", "database_name = ?", database);
          deleteWhere(c, "basin_external_partitions", "database_name = ?", database);
          return null;
        });
  }

  private static int deleteWhere(Connection c, String table, String where, String... args)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE " + where)) {
      for (int i = 0; i < args.length; i++) {
        ps.setString(i + 1, args[i]);
      }
      return ps.executeUpdate();
    }
  }

  /**
   * The current version and every archived one, newest first.
   *
   * @throws BasinException {@code TABLE_NOT_FOUND}
   */
  public List<TableVersion> versions(String database, String name) {
    ExternalTable current = get(database, name);
    List<TableVersion> result = new ArrayList<>();
    result.add(new TableVersion(current.versionId(), true, current));
    db.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT version_id, definition, update_time FROM basin_external_table_versions"
                      + " WHERE database_name = ? AND table_name = ? ORDER BY version_id DESC")) {
            ps.setString(1, database);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                ExternalTable t =
                    toTable(
                        database,
                        name,
                        rs.getLong(1),
                        rs.getString(2),
                        current.createTime().toEpochMilli(),
                        rs.getLong(3));
                result.add(new TableVersion(t.versionId(), false, t));
              }
            }
          }
          return null;
        });
    return result;
  }

  /**
   * One version, current or archived.
   *
   * @throws BasinException {@code TABLE_NOT_FOUND}, {@code TABLE_VERSION_NOT_FOUND}
   */
  public TableVersion version(String database, String name, String versionId) {
    for (TableVersion v : versions(database, name)) {
      if (v.versionId().equals(versionId)) {
        return v;
      }
    }
    throw versionNotFound(database, name, versionId);
  }

  /**
   * Deletes an archived version.
   *
   * @throws BasinException {@code TABLE_NOT_FOUND}, {@code TABLE_VERSION_NOT_FOUND}, {@code
   *     INVALID_INPUT} for the current version
   */
  public void deleteVersion(String database, String name, String versionId) {
    ExternalTable current = get(database, name);
    if (current.versionId().equals(versionId)) {
      throw new BasinException(
          CatalogErrorCode.INVALID_INPUT,
          "version "
              + versionId
              + " is the current version of table '"
              + database
              + "."
              + name
              + "' and cannot be deleted; update the table first");
    }
    long id = parseVersion(database, name, versionId);
    int n =
        db.transaction(
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "DELETE FROM basin_external_table_versions"
                          + " WHERE database_name = ? AND table_name = ? AND version_id = ?")) {
                ps.setString(1, database);
                ps.setString(2, name);
                ps.setLong(3, id);
                return ps.executeUpdate();
              }
            });
    if (n == 0) {
      throw versionNotFound(database, name, versionId);
    }
  }

  private long parseVersion(String database, String name, String versionId) {
    try {
      return Long.parseLong(versionId);
    } catch (NumberFormatException | NullPointerException e) {
      throw versionNotFound(database, name, versionId);
    }
  }

  /** A partition that could not be added or deleted in a batch, with the reason. */
  public record PartitionError(List<String> values, BasinException error) {}

  /**
   * Adds one partition.
   *
   * @throws BasinException {@code TABLE_NOT_FOUND}, {@code PARTITION_ALREADY_EXISTS}, {@code
   *     INVALID_INPUT} (wrong number of values), {@code INVALID_LOCATION}
   */
  public Partition addPartition(String database, String table, PartitionInput input) {
    List<PartitionError> errors = addPartitions(database, table, List.of(input));
    if (!errors.isEmpty()) {
      throw errors.get(0).error();
    }
    return getPartition(database, table, input.values());
  }

  /**
   * Adds partitions; each is added or reported on its own (Glue's BatchCreatePartition).
   *
   * @return the partitions that were not added, with why
   * @throws BasinException {@code TABLE_NOT_FOUND}
   */
  public List<PartitionError> addPartitions(
      String database, String table, List<PartitionInput> inputs) {
    ExternalTable t = get(database, table);
    List<PartitionError> errors = new ArrayList<>();
    long now = clock.millis();
    for (PartitionInput input : inputs) {
      try {
        String location = partitionLocation(t, input);
        String values = valuesKey(t, input.values());
        db.transaction(
            c -> {
              insertPartition(c, database, table, values, location, input, now);
              return null;
            });
      } catch (BasinException e) {
        errors.add(new PartitionError(input.values(), e));
      }
    }
    return errors;
  }

  private static void insertPartition(
      Connection c,
      String database,
      String table,
      String values,
      String location,
      PartitionInput input,
      long now)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO basin_external_partitions (database_name, table_name,"
                + " partition_values, location, parameters, create_time, update_time)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, database);
      ps.setString(2, table);
      ps.setString(3, values);
      ps.setString(4, location);
      ps.setString(5, Json.write(input.parameters()));
      ps.setLong(6, now);
      ps.setLong(7, now);
      ps.executeUpdate();
    } catch (SQLException e) {
      if (MetadataDatabase.isConstraintViolation(e)) {
        throw new BasinException(
            CatalogErrorCode.PARTITION_ALREADY_EXISTS,
            "partition "
                + input.values()
                + " of table '"
                + database
                + "."
                + table
                + "' already exists");
      }
      throw e;
    }
  }

  /**
   * @throws BasinException {@code TABLE_NOT_FOUND}, {@code PARTITION_NOT_FOUND}
   */
  public Partition getPartition(String database, String table, List<String> values) {
    ExternalTable t = get(database, table);
    String key = valuesKey(t, values);
    return db.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT partition_values, location, parameters, create_time, update_time"
                      + " FROM basin_external_partitions"
                      + " WHERE database_name = ? AND table_name = ? AND partition_values = ?")) {
            ps.setString(1, database);
            ps.setString(2, table);
            ps.setString(3, key);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                throw partitionNotFound(database, table, values);
              }
              return toPartition(database, table, rs);
            }
          }
        });
  }

  /**
   * Partitions matching a filter ({@code year = '2024' AND month > '06'}; null for all), ordered by
   * their values.
   *
   * @throws BasinException {@code TABLE_NOT_FOUND}, {@code INVALID_INPUT} for a bad filter
   */
  public List<Partition> listPartitions(String database, String table, String filter) {
    ExternalTable t = get(database, table);
    Predicate<List<String>> predicate = PartitionFilter.parse(filter, t.partitionKeys());
    return db.read(
        c -> {
          List<Partition> result = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT partition_values, location, parameters, create_time, update_time"
                      + " FROM basin_external_partitions WHERE database_name = ? AND table_name = ?"
                      + " ORDER BY partition_values")) {
            ps.setString(1, database);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                Partition p = toPartition(database, table, rs);
                if (p.values().size() == t.partitionKeys().size() && predicate.test(p.values())) {
                  result.add(p);
                }
              }
            }
          }
          return result;
        });
  }

  /**
   * Partitions whose values equal the given ones for the given keys.
   *
   * @throws BasinException {@code TABLE_NOT_FOUND}, {@code INVALID_INPUT} for an unknown key
   */
  public List<Partition> listPartitions(String database, String table, Map<String, String> equal) {
    ExternalTable t = get(database, table);
    Map<Integer, String> wanted = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : equal.entrySet()) {
      int index = keyIndex(t, e.getKey());
      wanted.put(index, e.getValue());
    }
    List<Partition> result = new ArrayList<>();
    for (Partition p : listPartitions(database, table, (String) null)) {
      boolean match = true;
      for (Map.Entry<Integer, String> w : wanted.entrySet()) {
        match &= w.getValue().equals(p.values().get(w.getKey()));
      }
      if (match) {
        result.add(p);
      }
    }
    return result;
  }

  private static int keyIndex(ExternalTable t, String key) {
    for (int i = 0; i < t.partitionKeys().size(); i++) {
      if (t.partitionKeys().get(i).name().equals(key)) {
        return i;
      }
    }
    throw new BasinException(
        CatalogErrorCode.INVALID_INPUT,
        "'"
            + key
            + "' is not a partition key of table '"
            + t.database()
            + "."
            + t.name()
            + "'; the keys are "
            + t.partitionKeys().stream().map(Column::name).toList());
  }

  /**
   * Replaces a partition's location and parameters (its values may change too).
   *
   * @throws BasinException {@code PARTITION_NOT_FOUND}, {@code PARTITION_ALREADY_EXISTS} when new
   *     values collide
   */
  public Partition updatePartition(
      String database, String table, List<String> values, PartitionInput input) {
    ExternalTable t = get(database, table);
    String oldKey = valuesKey(t, values);
    String newKey = valuesKey(t, input.values());
    String location = partitionLocation(t, input);
    long now = clock.millis();
    db.transaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE basin_external_partitions SET partition_values = ?, location = ?,"
                      + " parameters = ?, update_time = ?"
                      + " WHERE database_name = ? AND table_name = ? AND partition_values = ?")) {
            ps.setString(1, newKey);
            ps.setString(2, location);
            ps.setString(3, Json.write(input.parameters()));
            ps.setLong(4, now);
            ps.setString(5, database);
            ps.setString(6, table);
            ps.setString(7, oldKey);
            if (ps.executeUpdate() == 0) {
              throw partitionNotFound(database, table, values);
            }
          } catch (SQLException e) {
            if (MetadataDatabase.isConstraintViolation(e)) {
              throw new BasinException(
                  CatalogErrorCode.PARTITION_ALREADY_EXISTS,
                  "partition "
                      + input.values()
                      + " of table '"
                      + database
                      + "."
                      + table
                      + "' already exists");
            }
            throw e;
          }
          return null;
        });
    return getPartition(database, table, input.values());
  }

  /**
   * @throws BasinException {@code TABLE_NOT_FOUND}, {@code PARTITION_NOT_FOUND}
   */
  public void deletePartition(String database, String table, List<String> values) {
    List<PartitionError> errors = deletePartitions(database, table, List.of(values));
    if (!errors.isEmpty()) {
      throw errors.get(0).error();
    }
  }

  /**
   * Deletes partitions, each on its own (Glue's BatchDeletePartition).
   *
   * @return the partitions that were not deleted, with why
   */
  public List<PartitionError> deletePartitions(
      String database, String table, List<List<String>> valuesList) {
    ExternalTable t = get(database, table);
    List<PartitionError> errors = new ArrayList<>();
    for (List<String> values : valuesList) {
      try {
        String key = valuesKey(t, values);
        int n =
            db.transaction(
                c ->
                    deleteWhere(
                        c,
                        "basin_external_partitions",
                        "database_name = ? AND table_name = ? AND partition_values = ?",
                        database,
                        table,
                        key));
        if (n == 0) {
          throw partitionNotFound(database, table, values);
        }
      } catch (BasinException e) {
        errors.add(new PartitionError(values, e));
      }
    }
    return errors;
  }

  private Partition toPartition(String database, String table, ResultSet rs) throws SQLException {
    return new Partition(
        database,
        table,
        readJson(rs.getString(1), STRING_LIST),
        rs.getString(2),
        readJson(rs.getString(3), STRING_MAP),
        Instant.ofEpochMilli(rs.getLong(4)),
        Instant.ofEpochMilli(rs.getLong(5)));
  }

  private static <T> T readJson(String json, TypeReference<T> type) {
    try {
      return Json.mapper().readValue(json, type);
    } catch (java.io.IOException e) {
      throw new BasinException(
          CatalogErrorCode.METADATA_STORE_FAILURE, "corrupt catalog row: " + json, e);
    }
  }

  private static String valuesKey(ExternalTable t, List<String> values) {
    if (values == null || values.size() != t.partitionKeys().size()) {
      throw new BasinException(
          CatalogErrorCode.INVALID_INPUT,
          "table '"
              + t.database()
              + "."
              + t.name()
              + "' has "
              + t.partitionKeys().size()
              + " partition keys "
              + t.partitionKeys().stream().map(Column::name).toList()
              + " but "
              + (values == null ? 0 : values.size())
              + " values were given: "
              + values);
    }
    for (String v : values) {
      if (v == null) {
        throw new BasinException(
            CatalogErrorCode.INVALID_INPUT, "partition values must not be null: " + values);
      }
    }
    return Json.write(values);
  }

  private String partitionLocation(ExternalTable t, PartitionInput input) {
    valuesKey(t, input.values());
    if (input.location() != null && !input.location().isBlank()) {
      Databases.checkLocation(input.location(), store);
      return input.location();
    }
    StringBuilder sb = new StringBuilder(t.location());
    for (int i = 0; i < t.partitionKeys().size(); i++) {
      sb.append(t.partitionKeys().get(i).name())
          .append('=')
          .append(escapePathValue(input.values().get(i)))
          .append('/');
    }
    return sb.toString();
  }

  /** Hive's escaping of partition values in folder names. */
  static String escapePathValue(String value) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < value.length(); i++) {
      char ch = value.charAt(i);
      if (ch < 0x20 || "\"#%'*/:=?\\\u007f{[]^".indexOf(ch) >= 0) {
        sb.append('%').append(String.format(Locale.ROOT, "%02X", (int) ch));
      } else {
        sb.append(ch);
      }
    }
    return sb.toString();
  }

  private ExternalTable toTable(
      String database, String name, long version, String json, long created, long updated) {
    Definition d = Json.read(json, Definition.class);
    String serde = d.serdeLibrary() == null ? d.format().serdeLibrary() : d.serdeLibrary();
    return new ExternalTable(
        database,
        name,
        d.description(),
        d.columns() == null ? List.of() : d.columns(),
        d.partitionKeys() == null ? List.of() : d.partitionKeys(),
        d.location(),
        d.format(),
        d.format().inputFormat(),
        d.format().outputFormat(),
        serde,
        d.serdeParameters() == null ? Map.of() : d.serdeParameters(),
        d.parameters() == null ? Map.of() : d.parameters(),
        Long.toString(version),
        Instant.ofEpochMilli(created),
        Instant.ofEpochMilli(updated));
  }

  private Definition validate(TableInput input) {
    if (input == null) {
      throw new BasinException(CatalogErrorCode.INVALID_INPUT, "a table definition is required");
    }
    String name = Names.check("table", input.name());
    if (input.format() == null) {
      throw invalid(name, "a format is required (csv, json or parquet)");
    }
    Set<String> seen = new HashSet<>();
    List<Column> columns = checkColumns(name, input.columns(), "column", seen, false);
    List<Column> keys = checkColumns(name, input.partitionKeys(), "partition key", seen, true);
    String location = Databases.checkLocation(input.location(), store);
    if (!location.endsWith("/")) {
      location = location + "/";
    }
    String serde = input.serdeLibrary();
    if (serde != null && !serde.isBlank()) {
      if (!input.format().accepts(serde)) {
        throw invalid(
            name,
            "SerDe '"
                + serde
                + "' cannot read "
                + input.format()
                + "; use "
                + input.format().serdeLibrary());
      }
    } else {
      serde = null;
    }
    for (Map.Entry<String, String> e : input.serdeParameters().entrySet()) {
      checkParameter(name, "SerDe parameter", e.getKey(), e.getValue());
    }
    Map<String, String> params = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : input.parameters().entrySet()) {
      checkParameter(name, "table parameter", e.getKey(), e.getValue());
      params.put(e.getKey(), e.getValue());
    }
    String classification = params.get("classification");
    if (classification == null) {
      params.put("classification", input.format().classification());
    } else if (!classification.equalsIgnoreCase(input.format().classification())) {
      throw invalid(
          name,
          "classification '"
              + classification
              + "' does not match the format "
              + input.format()
              + " (classification '"
              + input.format().classification()
              + "')");
    }
    return new Definition(
        input.description(),
        columns,
        keys,
        location,
        input.format(),
        serde,
        input.serdeParameters(),
        params);
  }

  private List<Column> checkColumns(
      String table, List<Column> columns, String what, Set<String> seen, boolean primitiveOnly) {
    List<Column> result = new ArrayList<>();
    for (Column col : columns) {
      if (col == null) {
        throw invalid(table, "a " + what + " is null");
      }
      String name = Names.check(what, col.name());
      if (!seen.add(name)) {
        throw invalid(table, "duplicate column name '" + name + "'");
      }
      HiveType type;
      try {
        type = HiveType.parse(col.type());
      } catch (BasinException e) {
        throw new BasinException(
            CatalogErrorCode.INVALID_TYPE,
            "table '" + table + "', " + what + " '" + name + "': " + e.getMessage(),
            e);
      }
      if (primitiveOnly
          && !(type instanceof HiveType.Primitive
              || type instanceof HiveType.Decimal
              || type instanceof HiveType.Text)) {
        throw new BasinException(
            CatalogErrorCode.INVALID_TYPE,
            "table '"
                + table
                + "', partition key '"
                + name
                + "': a partition key must have a primitive type, not "
                + type);
      }
      result.add(new Column(name, type.toString(), col.comment()));
    }
    return result;
  }

  private static void checkParameter(String table, String what, String key, String value) {
    if (key == null || key.isBlank()) {
      throw invalid(table, "a " + what + " has an empty name");
    }
    if (value == null) {
      throw invalid(table, what + " '" + key + "' has no value");
    }
    if (DELIMITER_PARAMETERS.contains(key) && !DELIMITER.matcher(value).matches()) {
      throw invalid(
          table,
          what
              + " '"
              + key
              + "' must be one character (or an escape such as \\t or \\u0001), was '"
              + value
              + "'");
    }
    if (COUNT_PARAMETERS.contains(key)) {
      boolean ok;
      try {
        ok = Integer.parseInt(value.trim()) >= 0;
      } catch (NumberFormatException e) {
        ok = false;
      }
      if (!ok) {
        throw invalid(
            table, what + " '" + key + "' must be a non-negative integer, was '" + value + "'");
      }
    }
  }

  private void requireDatabase(String database) {
    Names.require("database", database);
    if (!iceberg.namespaceExists(Namespace.of(database))) {
      throw new BasinException(
          CatalogErrorCode.DATABASE_NOT_FOUND,
          "database '" + database + "' not found; create it first");
    }
  }

  private static BasinException invalid(String table, String why) {
    return new BasinException(
        CatalogErrorCode.INVALID_INPUT, "invalid definition of table '" + table + "': " + why);
  }

  private static BasinException alreadyExists(String database, String name, String why) {
    return new BasinException(
        CatalogErrorCode.TABLE_ALREADY_EXISTS,
        "table '" + database + "." + name + "' already exists (" + why + ")");
  }

  private static BasinException notFound(String database, String name) {
    return new BasinException(
        CatalogErrorCode.TABLE_NOT_FOUND,
        "external table '" + database + "." + name + "' not found");
  }

  private static BasinException versionNotFound(String database, String name, String version) {
    return new BasinException(
        CatalogErrorCode.TABLE_VERSION_NOT_FOUND,
        "table '" + database + "." + name + "' has no version '" + version + "'");
  }

  private static BasinException partitionNotFound(
      String database, String table, List<String> values) {
    return new BasinException(
        CatalogErrorCode.PARTITION_NOT_FOUND,
        "partition " + values + " of table '" + database + "." + table + "' not found");
  }

  private static BasinException concurrent(
      String database, String name, String expected, long actual) {
    return new BasinException(
        CatalogErrorCode.CONCURRENT_MODIFICATION,
        "table '"
            + database
            + "."
            + name
            + "' is at version "
            + actual
            + ", not "
            + expected
            + "; reload it and retry");
  }
}
