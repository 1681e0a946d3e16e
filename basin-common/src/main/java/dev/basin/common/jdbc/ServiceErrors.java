package dev.basin.common.jdbc;

import dev.basin.common.error.BasinException;
import dev.basin.common.error.ErrorCode;
import java.sql.SQLException;

/**
 * The usual {@link JdbcStore.Errors} of a service keeping its tables in the metadata database.
 *
 * @param url the JDBC URL, named in messages
 * @param service the service as users know it, e.g. "job service"
 * @param failure the code of a database failure
 * @param shutDown the code of a call after the service closed
 */
public record ServiceErrors(String url, String service, ErrorCode failure, ErrorCode shutDown)
    implements JdbcStore.Errors {

  @Override
  public BasinException failure(SQLException e) {
    return new BasinException(
        failure,
        "metadata database " + url + " failed: " + (e == null ? "busy" : e.getMessage()),
        e);
  }

  @Override
  public BasinException closed() {
    return new BasinException(shutDown, "the " + service + " is shut down");
  }

  @Override
  public BasinException interrupted() {
    return new BasinException(failure, "interrupted while retrying a metadata write");
  }

  @Override
  public BasinException newerSchema(int version, int known) {
    return new BasinException(
        failure,
        "the metadata database "
            + url
            + " has "
            + service
            + " schema version "
            + version
            + " but this Basin knows "
            + known
            + "; run a newer Basin");
  }
}
