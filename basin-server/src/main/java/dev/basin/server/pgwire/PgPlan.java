package dev.basin.server.pgwire;

import dev.basin.spi.sql.SqlType;
import java.util.List;
import java.util.function.Function;

/**
 * What a Parse (or one statement of a simple query) produced: the statement's parameter and result
 * shape, ready to execute any number of times. Either an engine statement or one Basin answers
 * itself (transaction control, SET/SHOW, catalog queries). Used by one connection thread.
 */
interface PgPlan extends AutoCloseable {

  /** The parameter types the engine expects ({@link SqlType.Kind#UNKNOWN} where it cannot tell). */
  List<SqlType> parameterTypes();

  /** The columns of the rows it returns; empty for statements without rows. */
  List<PgColumn> columns();

  /**
   * Whether the statement returns rows whose columns are only known once it runs with its
   * parameters (the engine cannot type {@code SELECT $1} before it knows $1).
   */
  default boolean columnsUnknown() {
    return false;
  }

  /** Whether the statement text was empty (answered with EmptyQueryResponse). */
  default boolean empty() {
    return false;
  }

  /**
   * Runs the statement with decoded parameters.
   *
   * @throws dev.basin.spi.sql.SqlException or {@link PgException} on failure
   */
  PgRows execute(List<Object> parameters);

  @Override
  default void close() {}

  /** The empty statement. */
  PgPlan EMPTY =
      new PgPlan() {
        @Override
        public List<SqlType> parameterTypes() {
          return List.of();
        }

        @Override
        public List<PgColumn> columns() {
          return List.of();
        }

        @Override
        public boolean empty() {
          return true;
        }

        @Override
        public PgRows execute(List<Object> parameters) {
          return PgRows.command("");
        }
      };

  /** A statement Basin runs itself; {@code run} gets the parameters and returns the rows. */
  static PgPlan local(List<PgColumn> columns, Function<List<Object>, PgRows> run) {
    return local(List.of(), columns, run);
  }

  /** A statement with parameters that Basin runs itself. */
  static PgPlan local(
      List<SqlType> parameterTypes, List<PgColumn> columns, Function<List<Object>, PgRows> run) {
    return new PgPlan() {
      @Override
      public List<SqlType> parameterTypes() {
        return parameterTypes;
      }

      @Override
      public List<PgColumn> columns() {
        return columns;
      }

      @Override
      public PgRows execute(List<Object> parameters) {
        return run.apply(parameters);
      }
    };
  }
}
