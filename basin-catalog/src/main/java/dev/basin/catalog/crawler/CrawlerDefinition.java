package dev.basin.catalog.crawler;

import java.util.List;

/**
 * A crawler in Glue's model: where it looks, which database its tables go to, how it groups folders
 * into tables and how it treats changes on later crawls. Stored by {@link Crawlers}; validated
 * there.
 *
 * @param name 1–255 characters: letters, digits, {@code _} and {@code -}
 * @param description free text, or null
 * @param targets the {@code s3://bucket/prefix/} include paths with their exclude globs; at least
 *     one (exactly one in event mode, as Glue)
 * @param database the catalog database the tables go to (must exist)
 * @param tablePrefix prepended to every table name ({@code ""} for none)
 * @param sampleRows records read per file to infer a schema, or null for the default (1,000)
 * @param filesPerFolder files classified per leaf folder (Glue's {@code SampleSize}, 1–249), or
 *     null for the default (10)
 * @param tableLevel the absolute folder level of every table root (the bucket is level 1, its top
 *     folder level 2, …; Glue's {@code TableLevelConfiguration}), or null to decide by schema
 *     similarity
 * @param combineCompatibleSchemas group folders with compatible formats into one table whatever
 *     their schemas (Glue's {@code CombineCompatibleSchemas})
 * @param tableThreshold the most tables a crawl may find; a crawl that finds more fails and writes
 *     nothing (null: no limit)
 * @param updateBehavior what a crawl does with a changed schema (default UPDATE_IN_DATABASE)
 * @param deleteBehavior what a crawl does with tables and partitions whose objects are gone
 *     (default DEPRECATE_IN_DATABASE)
 * @param addOrUpdateBehavior MERGE_NEW_COLUMNS to only ever add columns, or null
 * @param recrawlBehavior which folders later crawls look at (default CRAWL_EVERYTHING)
 * @param schedule a 5- or 6-field cron expression, stored for the scheduler, or null
 */
public record CrawlerDefinition(
    String name,
    String description,
    List<Target> targets,
    String database,
    String tablePrefix,
    Integer sampleRows,
    Integer filesPerFolder,
    Integer tableLevel,
    boolean combineCompatibleSchemas,
    Integer tableThreshold,
    UpdateBehavior updateBehavior,
    DeleteBehavior deleteBehavior,
    AddOrUpdateBehavior addOrUpdateBehavior,
    RecrawlBehavior recrawlBehavior,
    String schedule) {

  /** Glue's {@code SchemaChangePolicy.UpdateBehavior}. */
  public enum UpdateBehavior {
    /** Apply schema changes to the table (add, remove and retype columns). */
    UPDATE_IN_DATABASE,
    /** Record the change in the run, leave the table alone. */
    LOG
  }

  /** Glue's {@code SchemaChangePolicy.DeleteBehavior}. */
  public enum DeleteBehavior {
    DELETE_FROM_DATABASE,
    LOG,
    /** Set the table parameter {@code deprecated=true}. */
    DEPRECATE_IN_DATABASE
  }

  /** Glue's {@code CrawlerOutput.Tables.AddOrUpdateBehavior}. */
  public enum AddOrUpdateBehavior {
    /** Add new columns, never remove or retype; a format change deprecates the table. */
    MERGE_NEW_COLUMNS
  }

  /** Glue's {@code RecrawlPolicy.RecrawlBehavior}. */
  public enum RecrawlBehavior {
    CRAWL_EVERYTHING,
    /** After the first crawl, only folders not seen before; updates and deletes are logged. */
    CRAWL_NEW_FOLDERS_ONLY,
    /** After the first crawl, only folders named by object-created events since the last one. */
    CRAWL_EVENT_MODE
  }

  /**
   * An include path.
   *
   * @param path {@code s3://bucket/prefix/}
   * @param exclusions globs matched against keys relative to the path: {@code *} and {@code ?} stay
   *     within a folder, {@code **} crosses folders, {@code [abc]} and {@code {a,b}} as usual
   */
  public record Target(String path, List<String> exclusions) {
    public Target {
      exclusions = exclusions == null ? List.of() : List.copyOf(exclusions);
    }

    public static Target of(String path, String... exclusions) {
      return new Target(path, List.of(exclusions));
    }
  }

  public CrawlerDefinition {
    targets = targets == null ? List.of() : List.copyOf(targets);
    tablePrefix = tablePrefix == null ? "" : tablePrefix;
    updateBehavior = updateBehavior == null ? UpdateBehavior.UPDATE_IN_DATABASE : updateBehavior;
    deleteBehavior = deleteBehavior == null ? DeleteBehavior.DEPRECATE_IN_DATABASE : deleteBehavior;
    recrawlBehavior = recrawlBehavior == null ? RecrawlBehavior.CRAWL_EVERYTHING : recrawlBehavior;
    schedule = schedule == null || schedule.isBlank() ? null : schedule.trim();
  }

  /** A crawler of the given targets into {@code database} with every other setting at default. */
  public static CrawlerDefinition of(String name, String database, Target... targets) {
    return new CrawlerDefinition(
        name,
        null,
        List.of(targets),
        database,
        "",
        null,
        null,
        null,
        false,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  public CrawlerDefinition withTablePrefix(String prefix) {
    return new CrawlerDefinition(
        name,
        description,
        targets,
        database,
        prefix,
        sampleRows,
        filesPerFolder,
        tableLevel,
        combineCompatibleSchemas,
        tableThreshold,
        updateBehavior,
        deleteBehavior,
        addOrUpdateBehavior,
        recrawlBehavior,
        schedule);
  }

  public CrawlerDefinition withTableLevel(Integer level) {
    return new CrawlerDefinition(
        name,
        description,
        targets,
        database,
        tablePrefix,
        sampleRows,
        filesPerFolder,
        level,
        combineCompatibleSchemas,
        tableThreshold,
        updateBehavior,
        deleteBehavior,
        addOrUpdateBehavior,
        recrawlBehavior,
        schedule);
  }

  public CrawlerDefinition withCombineCompatibleSchemas(boolean combine) {
    return new CrawlerDefinition(
        name,
        description,
        targets,
        database,
        tablePrefix,
        sampleRows,
        filesPerFolder,
        tableLevel,
        combine,
        tableThreshold,
        updateBehavior,
        deleteBehavior,
        addOrUpdateBehavior,
        recrawlBehavior,
        schedule);
  }

  public CrawlerDefinition withTableThreshold(Integer threshold) {
    return new CrawlerDefinition(
        name,
        description,
        targets,
        database,
        tablePrefix,
        sampleRows,
        filesPerFolder,
        tableLevel,
        combineCompatibleSchemas,
        threshold,
        updateBehavior,
        deleteBehavior,
        addOrUpdateBehavior,
        recrawlBehavior,
        schedule);
  }

  public CrawlerDefinition withSchemaChangePolicy(
      UpdateBehavior update, DeleteBehavior delete, AddOrUpdateBehavior addOrUpdate) {
    return new CrawlerDefinition(
        name,
        description,
        targets,
        database,
        tablePrefix,
        sampleRows,
        filesPerFolder,
        tableLevel,
        combineCompatibleSchemas,
        tableThreshold,
        update,
        delete,
        addOrUpdate,
        recrawlBehavior,
        schedule);
  }

  public CrawlerDefinition withRecrawlBehavior(RecrawlBehavior recrawl) {
    return new CrawlerDefinition(
        name,
        description,
        targets,
        database,
        tablePrefix,
        sampleRows,
        filesPerFolder,
        tableLevel,
        combineCompatibleSchemas,
        tableThreshold,
        updateBehavior,
        deleteBehavior,
        addOrUpdateBehavior,
        recrawl,
        schedule);
  }

  public CrawlerDefinition withSchedule(String cron) {
    return new CrawlerDefinition(
        name,
        description,
        targets,
        database,
        tablePrefix,
        sampleRows,
        filesPerFolder,
        tableLevel,
        combineCompatibleSchemas,
        tableThreshold,
        updateBehavior,
        deleteBehavior,
        addOrUpdateBehavior,
        recrawlBehavior,
        cron);
  }

  /** The classifier settings this crawler uses. */
  public ClassifierConfig classifierConfig() {
    ClassifierConfig c = ClassifierConfig.defaults();
    if (sampleRows != null) {
      c = c.withSampleRows(sampleRows);
    }
    if (filesPerFolder != null) {
      c = c.withFilesPerTable(filesPerFolder);
    }
    return c;
  }
}
