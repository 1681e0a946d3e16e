package dev.basin.server.pgwire;

/**
 * A PostgreSQL type as clients see it.
 *
 * @param oid the type's OID in {@code pg_type}
 * @param name its {@code typname}
 * @param size its {@code typlen}: bytes of the binary form, -1 when variable
 * @param display what {@code format_type} prints, without a modifier
 */
record PgType(int oid, String name, short size, String display) {
  static final PgType BOOL = new PgType(16, "bool", (short) 1, "boolean");
  static final PgType BYTEA = new PgType(17, "bytea", (short) -1, "bytea");
  static final PgType CHAR = new PgType(18, "char", (short) 1, "\"char\"");
  static final PgType NAME = new PgType(19, "name", (short) 64, "name");
  static final PgType INT8 = new PgType(20, "int8", (short) 8, "bigint");
  static final PgType INT2 = new PgType(21, "int2", (short) 2, "smallint");
  static final PgType INT4 = new PgType(23, "int4", (short) 4, "integer");
  static final PgType REGPROC = new PgType(24, "regproc", (short) 4, "regproc");
  static final PgType TEXT = new PgType(25, "text", (short) -1, "text");
  static final PgType OID = new PgType(26, "oid", (short) 4, "oid");
  static final PgType JSON = new PgType(114, "json", (short) -1, "json");
  static final PgType FLOAT4 = new PgType(700, "float4", (short) 4, "real");
  static final PgType FLOAT8 = new PgType(701, "float8", (short) 8, "double precision");
  static final PgType UNKNOWN = new PgType(705, "unknown", (short) -2, "unknown");
  static final PgType BPCHAR = new PgType(1042, "bpchar", (short) -1, "character");
  static final PgType VARCHAR = new PgType(1043, "varchar", (short) -1, "character varying");
  static final PgType DATE = new PgType(1082, "date", (short) 4, "date");
  static final PgType TIME = new PgType(1083, "time", (short) 8, "time without time zone");
  static final PgType TIMESTAMP =
      new PgType(1114, "timestamp", (short) 8, "timestamp without time zone");
  static final PgType TIMESTAMPTZ =
      new PgType(1184, "timestamptz", (short) 8, "timestamp with time zone");
  static final PgType INTERVAL = new PgType(1186, "interval", (short) 16, "interval");
  static final PgType TIMETZ = new PgType(1266, "timetz", (short) 12, "time with time zone");
  static final PgType NUMERIC = new PgType(1700, "numeric", (short) -1, "numeric");
  static final PgType UUID = new PgType(2950, "uuid", (short) 16, "uuid");
  static final PgType JSONB = new PgType(3802, "jsonb", (short) -1, "jsonb");
}
