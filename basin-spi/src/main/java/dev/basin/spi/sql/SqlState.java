package dev.basin.spi.sql;

/**
 * Why a statement failed, with the PostgreSQL SQLSTATE code each reason maps to (the code pgwire
 * clients see; Athena and the native API map them to their own error names).
 */
public enum SqlState {
  SYNTAX_ERROR("42601"),
  UNDEFINED_TABLE("42P01"),
  UNDEFINED_COLUMN("42703"),
  UNDEFINED_FUNCTION("42883"),
  INVALID_SCHEMA_NAME("3F000"),
  DUPLICATE_TABLE("42P07"),
  DUPLICATE_SCHEMA("42P06"),
  /** Types do not match, a cast failed to bind, a column count differs. */
  DATATYPE_MISMATCH("42804"),
  /** A value is invalid at run time: a failed cast, division by zero, a bad literal. */
  DATA_EXCEPTION("22000"),
  INVALID_PARAMETER_VALUE("22023"),
  FEATURE_NOT_SUPPORTED("0A000"),
  QUERY_CANCELED("57014"),
  /** A configured limit (bytes scanned, result size, memory) was exceeded. */
  LIMIT_EXCEEDED("54000"),
  /** A concurrent write changed the table; retry. */
  SERIALIZATION_FAILURE("40001"),
  /** The engine or the lake failed; the outcome of a write is unknown. */
  INTERNAL_ERROR("XX000");

  private final String code;

  SqlState(String code) {
    this.code = code;
  }

  /** The five-character SQLSTATE. */
  public String code() {
    return code;
  }
}
