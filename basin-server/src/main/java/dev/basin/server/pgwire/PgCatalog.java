package dev.basin.server.pgwire;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Basin's catalog as PostgreSQL's system catalogs would show it: one database ({@code basin}), a
 * schema per catalog database, a relation per table, its columns, and the built-in types. OIDs are
 * derived from names, so they are stable across metadata queries and connections.
 */
final class PgCatalog {
  static final String DATABASE = "basin";
  static final long DATABASE_OID = 16384;
  static final long PG_CATALOG_OID = 11;
  static final long INFORMATION_SCHEMA_OID = 13_000;
  static final long OWNER_OID = 10;

  /** A schema: a Basin catalog database, or one of PostgreSQL's system schemas. */
  record Schema(String name, long oid, boolean system) {}

  /** A column of a table, with its type as the engine spells it. */
  record Column(String name, int ordinal, String engineType, boolean nullable) {
    PgTypes.CatalogType type() {
      return PgTypes.catalogType(engineType);
    }
  }

  /** A table (relkind {@code r}) or view ({@code v}). */
  record Table(
      String schema, String name, long oid, long schemaOid, char kind, List<Column> columns) {}

  /** A built-in type of {@code pg_type}. */
  record Type(
      long oid,
      String name,
      short length,
      char category,
      long element,
      long array,
      String display) {
    boolean isArray() {
      return element != 0;
    }
  }

  private final List<Schema> schemas;
  private final List<Table> tables;

  PgCatalog(List<Schema> schemas, List<Table> tables) {
    this.schemas = List.copyOf(schemas);
    this.tables = List.copyOf(tables);
  }

  List<Schema> schemas() {
    return schemas;
  }

  List<Table> tables() {
    return tables;
  }

  /** The schema OID for a Basin database name. */
  static long schemaOid(String name) {
    return stableOid("schema:" + name);
  }

  /** The relation OID for a table. */
  static long tableOid(String schema, String table) {
    return stableOid("table:" + schema + "." + table);
  }

  private static long stableOid(String key) {
    CRC32 crc = new CRC32();
    crc.update(key.getBytes(StandardCharsets.UTF_8));
    // User objects start at 16384 in PostgreSQL; stay below 2^31 for clients that read OIDs as
    // signed ints.
    return 16_385 + (crc.getValue() % 2_000_000_000L);
  }

  /**
   * Builds the catalog from information_schema rows.
   *
   * @param databases Basin database names
   * @param columns rows of (schema, table, column, ordinal, engine type, nullable)
   */
  static PgCatalog of(List<String> databases, List<Object[]> columns) {
    List<Schema> schemas = new ArrayList<>();
    schemas.add(new Schema("information_schema", INFORMATION_SCHEMA_OID, true));
    schemas.add(new Schema("pg_catalog", PG_CATALOG_OID, true));
    for (String db : databases) {
      schemas.add(new Schema(db, schemaOid(db), false));
    }
    Map<String, List<Column>> byTable = new LinkedHashMap<>();
    for (Object[] row : columns) {
      String key = row[0] + "\u0000" + row[1];
      byTable
          .computeIfAbsent(key, k -> new ArrayList<>())
          .add(
              new Column(
                  String.valueOf(row[2]),
                  ((Number) row[3]).intValue(),
                  String.valueOf(row[4]),
                  row[5] == null || !"NO".equalsIgnoreCase(String.valueOf(row[5]))));
    }
    List<Table> tables = new ArrayList<>();
    for (Map.Entry<String, List<Column>> e : byTable.entrySet()) {
      String[] st = e.getKey().split("\u0000", 2);
      tables.add(
          new Table(st[0], st[1], tableOid(st[0], st[1]), schemaOid(st[0]), 'r', e.getValue()));
    }
    return new PgCatalog(schemas, tables);
  }

  // ------------------------------------------------------------------ pg_type

  static final List<Type> TYPES = types();

  private static List<Type> types() {
    List<Type> t = new ArrayList<>();
    base(t, PgType.BOOL, 'B', 1000);
    base(t, PgType.BYTEA, 'U', 1001);
    base(t, PgType.CHAR, 'S', 1002);
    base(t, PgType.NAME, 'S', 1003);
    base(t, PgType.INT8, 'N', 1016);
    base(t, PgType.INT2, 'N', 1005);
    base(t, PgType.INT4, 'N', 1007);
    base(t, PgType.REGPROC, 'N', 1008);
    base(t, PgType.TEXT, 'S', 1009);
    base(t, PgType.OID, 'N', 1028);
    base(t, PgType.JSON, 'U', 199);
    base(t, PgType.FLOAT4, 'N', 1021);
    base(t, PgType.FLOAT8, 'N', 1022);
    base(t, PgType.UNKNOWN, 'X', 0);
    base(t, PgType.BPCHAR, 'S', 1014);
    base(t, PgType.VARCHAR, 'S', 1015);
    base(t, PgType.DATE, 'D', 1182);
    base(t, PgType.TIME, 'D', 1183);
    base(t, PgType.TIMESTAMP, 'D', 1115);
    base(t, PgType.TIMESTAMPTZ, 'D', 1185);
    base(t, PgType.INTERVAL, 'T', 1187);
    base(t, PgType.TIMETZ, 'D', 1270);
    base(t, PgType.NUMERIC, 'N', 1231);
    base(t, PgType.UUID, 'U', 2951);
    base(t, PgType.JSONB, 'U', 3807);
    return List.copyOf(t);
  }

  private static void base(List<Type> out, PgType type, char category, long array) {
    out.add(new Type(type.oid(), type.name(), type.size(), category, 0, array, type.display()));
    if (array != 0) {
      out.add(
          new Type(
              array, "_" + type.name(), (short) -1, 'A', type.oid(), 0, type.display() + "[]"));
    }
  }

  static Type type(long oid) {
    for (Type t : TYPES) {
      if (t.oid() == oid) {
        return t;
      }
    }
    return null;
  }
}
