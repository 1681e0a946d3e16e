package dev.basin.sql.service;

import java.util.Objects;

/**
 * A result column described in Athena's (Trino's) type names.
 *
 * @param name the column label
 * @param type the Athena type name: {@code varchar}, {@code bigint}, {@code integer}, {@code
 *     double}, {@code boolean}, {@code date}, {@code timestamp}, {@code decimal}, {@code array},
 *     {@code row}, {@code map}, …
 * @param precision digits (decimal), the type's width (integers: 3/5/10/19, double 17, varchar
 *     2147483647), fractional second digits (timestamp 3 or 6), 0 otherwise
 * @param scale digits after the point for decimals, 0 otherwise
 * @param nullable whether values may be null (true when unknown)
 * @param engineType the engine's own spelling, e.g. {@code DECIMAL(18,2)} or {@code INTEGER[]}
 */
public record ResultColumn(
    String name, String type, int precision, int scale, boolean nullable, String engineType) {

  public ResultColumn {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
  }

  /** The type with its parameters, e.g. {@code decimal(10,2)}; the plain type otherwise. */
  public String displayType() {
    return type.equals("decimal") ? "decimal(" + precision + "," + scale + ")" : type;
  }
}
