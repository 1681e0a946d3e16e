package dev.basin.catalog;

import dev.basin.common.error.BasinException;
import dev.basin.spi.storage.ObjectStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NamespaceNotEmptyException;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.exceptions.NoSuchViewException;

/**
 * Databases in Glue's model, kept as Iceberg namespaces so the Iceberg REST catalog, Spark and the
 * Glue API see the same thing. The description is the namespace's {@code comment} property and the
 * location its {@code location} property; the other properties are the parameters.
 *
 * <p>Thread-safe. Every method throws {@link BasinException} with a {@link CatalogErrorCode}.
 */
public final class Databases {
  static final String COMMENT = "comment";
  static final String LOCATION = "location";
  private static final String EXISTS = "exists";
  private static final String CREATE_TIME = "basin.create-time";

  private final BasinJdbcCatalog iceberg;
  private final ExternalTables externalTables;
  private final ObjectStore store;
  private final Clock clock;

  Databases(
      BasinJdbcCatalog iceberg, ExternalTables externalTables, ObjectStore store, Clock clock) {
    this.iceberg = iceberg;
    this.externalTables = externalTables;
    this.store = store;
    this.clock = clock;
  }

  /**
   * Creates a database.
   *
   * @throws BasinException {@code INVALID_NAME}, {@code INVALID_LOCATION} (not an s3 URI or the
   *     bucket does not exist), {@code INVALID_INPUT} (a reserved parameter), {@code
   *     DATABASE_ALREADY_EXISTS}
   */
  public Database create(DatabaseInput input) {
    String name = Names.check("database", input.name());
    Map<String, String> props = toProperties(input);
    props.put(CREATE_TIME, Long.toString(clock.millis()));
    try {
      iceberg.createNamespace(Namespace.of(name), props);
    } catch (AlreadyExistsException e) {
      throw new BasinException(
          CatalogErrorCode.DATABASE_ALREADY_EXISTS, "database '" + name + "' already exists", e);
    }
    return get(name);
  }

  /**
   * @throws BasinException {@code DATABASE_NOT_FOUND}
   */
  public Database get(String name) {
    return find(name).orElseThrow(() -> notFound(name));
  }

  public Optional<Database> find(String name) {
    Names.require("database", name);
    try {
      return Optional.of(toDatabase(name, iceberg.loadNamespaceMetadata(Namespace.of(name))));
    } catch (NoSuchNamespaceException e) {
      return Optional.empty();
    }
  }

  public boolean exists(String name) {
    return name != null && !name.isBlank() && iceberg.namespaceExists(Namespace.of(name));
  }

  /** All top-level databases, by name. */
  public List<Database> list() {
    List<Database> result = new ArrayList<>();
    for (Namespace ns : iceberg.listNamespaces()) {
      if (ns.levels().length != 1) {
        continue;
      }
      try {
        result.add(toDatabase(ns.level(0), iceberg.loadNamespaceMetadata(ns)));
      } catch (NoSuchNamespaceException e) {
        // Dropped while listing.
      }
    }
    result.sort(java.util.Comparator.comparing(Database::name));
    return result;
  }

  /**
   * Replaces a database's description, location and parameters (Glue's UpdateDatabase; a database
   * cannot be renamed). A new location applies to tables created afterwards.
   *
   * @throws BasinException {@code DATABASE_NOT_FOUND}, {@code INVALID_INPUT} when {@code
   *     input.name()} is not {@code name}, and as {@link #create}
   */
  public Database update(String name, DatabaseInput input) {
    Names.require("database", name);
    if (input.name() != null && !input.name().equals(name)) {
      throw new BasinException(
          CatalogErrorCode.INVALID_INPUT,
          "a database cannot be renamed: asked to update '"
              + name
              + "' with the name '"
              + input.name()
              + "'");
    }
    Namespace ns = Namespace.of(name);
    Map<String, String> current;
    try {
      current = iceberg.loadNamespaceMetadata(ns);
    } catch (NoSuchNamespaceException e) {
      throw notFound(name);
    }
    Map<String, String> wanted = toProperties(input);
    Set<String> remove = new HashSet<>();
    for (String key : current.keySet()) {
      if (!wanted.containsKey(key) && !key.equals(EXISTS) && !key.equals(CREATE_TIME)) {
        remove.add(key);
      }
    }
    try {
      if (!wanted.isEmpty()) {
        iceberg.setProperties(ns, wanted);
      }
      if (!remove.isEmpty()) {
        iceberg.removeProperties(ns, remove);
      }
    } catch (NoSuchNamespaceException e) {
      throw notFound(name);
    }
    return get(name);
  }

  /**
   * Drops an empty database.
   *
   * @throws BasinException {@code DATABASE_NOT_FOUND}; {@code DATABASE_NOT_EMPTY} naming the tables
   *     when it holds tables or views
   */
  public void drop(String name) {
    drop(name, false);
  }

  /**
   * Drops a database; with {@code cascade}, first drops its Iceberg tables and views and its
   * external tables from the catalog. As with Glue, the data files stay in the lake.
   *
   * @throws BasinException as {@link #drop(String)}
   */
  public void drop(String name, boolean cascade) {
    Names.require("database", name);
    Namespace ns = Namespace.of(name);
    if (!iceberg.namespaceExists(ns)) {
      throw notFound(name);
    }
    List<TableIdentifier> tables = iceberg.listTables(ns);
    List<TableIdentifier> views = iceberg.listViews(ns);
    List<String> external = externalTables.names(name);
    if (!cascade && (!tables.isEmpty() || !views.isEmpty() || !external.isEmpty())) {
      List<String> names = new ArrayList<>();
      tables.forEach(t -> names.add(t.name()));
      views.forEach(v -> names.add(v.name() + " (view)"));
      external.forEach(t -> names.add(t + " (external)"));
      names.sort(null);
      throw new BasinException(
          CatalogErrorCode.DATABASE_NOT_EMPTY,
          "database '"
              + name
              + "' is not empty; drop its tables first ("
              + String.join(", ", names.subList(0, Math.min(10, names.size())))
              + (names.size() > 10 ? ", … " + names.size() + " in all" : "")
              + ") or drop it with cascade");
    }
    for (TableIdentifier view : views) {
      try {
        iceberg.dropView(view);
      } catch (NoSuchViewException e) {
        // Gone already.
      }
    }
    for (TableIdentifier table : tables) {
      try {
        iceberg.dropTable(table, false);
      } catch (NoSuchTableException e) {
        // Gone already.
      }
    }
    externalTables.deleteAll(name);
    try {
      iceberg.dropNamespace(ns);
    } catch (NamespaceNotEmptyException e) {
      throw new BasinException(
          CatalogErrorCode.DATABASE_NOT_EMPTY,
          "database '" + name + "' got a new table while it was dropped; drop it again",
          e);
    } catch (NoSuchNamespaceException e) {
      throw notFound(name);
    }
  }

  private Map<String, String> toProperties(DatabaseInput input) {
    Map<String, String> props = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : input.parameters().entrySet()) {
      String key = e.getKey();
      if (key == null || key.isEmpty()) {
        throw new BasinException(CatalogErrorCode.INVALID_INPUT, "a parameter name is empty");
      }
      if (key.equals(COMMENT)
          || key.equals(LOCATION)
          || key.equals(EXISTS)
          || key.startsWith("basin.")) {
        throw new BasinException(
            CatalogErrorCode.INVALID_INPUT,
            "parameter '"
                + key
                + "' is reserved; set the description and location through their own fields");
      }
      if (e.getValue() == null) {
        throw new BasinException(
            CatalogErrorCode.INVALID_INPUT, "parameter '" + key + "' has no value");
      }
      props.put(key, e.getValue());
    }
    if (input.description() != null) {
      props.put(COMMENT, input.description());
    }
    if (input.location() != null && !input.location().isBlank()) {
      props.put(LOCATION, checkLocation(input.location(), store));
    }
    return props;
  }

  /** Checks that a location is an s3 URI whose bucket exists; returns it unchanged. */
  static String checkLocation(String location, ObjectStore store) {
    S3Location loc = S3Location.parse(location);
    if (store.bucket(loc.bucket()).isEmpty()) {
      throw new BasinException(
          CatalogErrorCode.INVALID_LOCATION,
          "invalid location '"
              + location
              + "': bucket '"
              + loc.bucket()
              + "' does not exist; create it first (e.g. `aws s3 mb s3://"
              + loc.bucket()
              + "`)");
    }
    return location;
  }

  private static Database toDatabase(String name, Map<String, String> props) {
    Map<String, String> params = new HashMap<>(props);
    String description = params.remove(COMMENT);
    String location = params.remove(LOCATION);
    params.remove(EXISTS);
    String created = params.remove(CREATE_TIME);
    params.keySet().removeIf(k -> k.startsWith("basin."));
    Instant createTime = null;
    if (created != null) {
      try {
        createTime = Instant.ofEpochMilli(Long.parseLong(created));
      } catch (NumberFormatException e) {
        createTime = null;
      }
    }
    return new Database(name, description, location, params, createTime);
  }

  private static BasinException notFound(String name) {
    return new BasinException(
        CatalogErrorCode.DATABASE_NOT_FOUND, "database '" + name + "' not found; create it first");
  }
}
