package dev.basin.spi.sql;

import java.util.Objects;

/**
 * A SQL type.
 *
 * @param kind the type's family
 * @param name the engine's own spelling, e.g. {@code DECIMAL(18,2)} or {@code INTEGER[]}
 * @param precision digits for decimals, 0 otherwise
 * @param scale digits after the point for decimals, 0 otherwise
 */
public record SqlType(Kind kind, String name, int precision, int scale) {

  public SqlType {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
  }

  /** A type with no precision or scale. */
  public static SqlType of(Kind kind, String name) {
    return new SqlType(kind, name, 0, 0);
  }

  /** The families adapters map to their protocol's types. */
  public enum Kind {
    BOOLEAN,
    TINYINT,
    SMALLINT,
    INTEGER,
    BIGINT,
    HUGEINT,
    FLOAT,
    DOUBLE,
    DECIMAL,
    VARCHAR,
    BLOB,
    DATE,
    TIME,
    TIMESTAMP,
    TIMESTAMP_TZ,
    INTERVAL,
    UUID,
    LIST,
    STRUCT,
    MAP,
    JSON,
    UNKNOWN
  }
}
