package dev.basin.catalog;

import java.util.Map;
import java.util.function.BiPredicate;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.util.LocationUtil;
import org.apache.iceberg.view.ViewBuilder;

/**
 * Iceberg's JDBC catalog with two Basin rules: a namespace's {@code location} property is where its
 * tables go (as in Hive and Glue), and a table name is unique in a database across Iceberg tables,
 * views and external tables.
 */
final class BasinJdbcCatalog extends JdbcCatalog {

  private final BiPredicate<String, String> externalTableExists;

  BasinJdbcCatalog(FileIO io, BiPredicate<String, String> externalTableExists) {
    super(props -> io, null, true);
    this.externalTableExists = externalTableExists;
  }

  @Override
  protected String defaultWarehouseLocation(TableIdentifier identifier) {
    Namespace ns = identifier.namespace();
    if (!ns.isEmpty()) {
      Map<String, String> props;
      try {
        props = loadNamespaceMetadata(ns);
      } catch (NoSuchNamespaceException e) {
        props = Map.of();
      }
      String location = props.get(Databases.LOCATION);
      if (location != null && !location.isBlank()) {
        return LocationUtil.stripTrailingSlash(location) + "/" + identifier.name();
      }
    }
    return super.defaultWarehouseLocation(identifier);
  }

  @Override
  public TableBuilder buildTable(TableIdentifier identifier, Schema schema) {
    refuseExternal(identifier);
    return super.buildTable(identifier, schema);
  }

  @Override
  public Table registerTable(TableIdentifier identifier, String metadataFileLocation) {
    refuseExternal(identifier);
    return super.registerTable(identifier, metadataFileLocation);
  }

  @Override
  public void renameTable(TableIdentifier from, TableIdentifier to) {
    refuseExternal(to);
    super.renameTable(from, to);
  }

  @Override
  public ViewBuilder buildView(TableIdentifier identifier) {
    refuseExternal(identifier);
    return super.buildView(identifier);
  }

  @Override
  public void renameView(TableIdentifier from, TableIdentifier to) {
    refuseExternal(to);
    super.renameView(from, to);
  }

  private void refuseExternal(TableIdentifier identifier) {
    if (identifier.namespace().levels().length == 1
        && externalTableExists.test(identifier.namespace().level(0), identifier.name())) {
      throw new AlreadyExistsException(
          "Table already exists: %s (an external table has that name)", identifier);
    }
  }
}
