package dev.basin.sql.plan;

import java.util.concurrent.ConcurrentHashMap;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.StaticTableOperations;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;

/**
 * Loaded Iceberg tables, refreshed on each use: a refresh asks the catalog for the current metadata
 * location (one indexed row) and parses the metadata file again only when it changed, where {@code
 * loadTable} would parse it every time. Each use gets a read-only table pinned to the metadata it
 * saw, so concurrent refreshes cannot change a statement's view. Thread-safe.
 */
public final class TableCache {

  private final Catalog catalog;
  private final ConcurrentHashMap<TableIdentifier, Table> tables = new ConcurrentHashMap<>();

  public TableCache(Catalog catalog) {
    this.catalog = catalog;
  }

  /**
   * The table's current state.
   *
   * @throws NoSuchTableException if it does not exist (any more)
   */
  public Table load(TableIdentifier id) {
    Table live = tables.get(id);
    if (live == null) {
      live = catalog.loadTable(id);
      tables.put(id, live);
    }
    TableMetadata current;
    synchronized (live) {
      try {
        live.refresh();
        current = ((HasTableOperations) live).operations().current();
      } catch (NoSuchTableException e) {
        tables.remove(id, live);
        throw e;
      } catch (RuntimeException e) {
        // Dropped and re-created under the same name (a new UUID), or unreadable: start over.
        tables.remove(id, live);
        Table fresh = catalog.loadTable(id);
        tables.put(id, fresh);
        live = fresh;
        current = ((HasTableOperations) fresh).operations().current();
      }
    }
    StaticTableOperations ops =
        new StaticTableOperations(current, ((HasTableOperations) live).operations().io());
    return new BaseTable(ops, live.name());
  }
}
