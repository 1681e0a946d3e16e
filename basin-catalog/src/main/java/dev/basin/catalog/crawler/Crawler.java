package dev.basin.catalog.crawler;

import dev.basin.catalog.Column;
import dev.basin.catalog.DataFormat;
import dev.basin.catalog.ExternalTable;
import dev.basin.catalog.Partition;
import dev.basin.catalog.PartitionInput;
import dev.basin.catalog.TableInput;
import dev.basin.catalog.crawler.CrawlPlan.EventRef;
import dev.basin.catalog.crawler.CrawlPlan.PartitionAction;
import dev.basin.catalog.crawler.CrawlPlan.PartitionChange;
import dev.basin.catalog.crawler.CrawlPlan.SeenTable;
import dev.basin.catalog.crawler.CrawlPlan.TableAction;
import dev.basin.catalog.crawler.CrawlPlan.TableChange;
import dev.basin.catalog.crawler.CrawlPlan.TableExplanation;
import dev.basin.catalog.crawler.CrawlerDefinition.DeleteBehavior;
import dev.basin.catalog.crawler.CrawlerDefinition.RecrawlBehavior;
import dev.basin.catalog.crawler.CrawlerDefinition.UpdateBehavior;
import dev.basin.common.error.BasinException;
import dev.basin.spi.storage.ByteRange;
import dev.basin.spi.storage.GetOptions;
import dev.basin.spi.storage.ListPage;
import dev.basin.spi.storage.ListRequest;
import dev.basin.spi.storage.ObjectContent;
import dev.basin.spi.storage.ObjectInfo;
import dev.basin.spi.storage.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Plans a crawl: lists the crawler's targets, classifies each leaf folder, groups folders into
 * tables the way Glue's crawler does and computes the exact difference to the catalog as a {@link
 * CrawlPlan}. Planning reads the object store only; it never writes.
 *
 * <p>Grouping: starting at each include path, the folders under a folder become one table with
 * partitions when they are all at the same depth, have compatible formats (format, compression,
 * delimiter) and similar schemas: more than 70% of them match the majority schema and there are at
 * most 5 distinct schemas (a schema matches another when its column names are a subset or superset
 * of the other's: columns added over time do not split a table). {@code combineCompatibleSchemas}
 * drops the similarity test; {@code tableLevel} fixes the root level instead. Otherwise each
 * sub-folder is considered on its own, recursively. Stateless and thread-safe.
 */
public final class Crawler {
  /** The table parameter naming the crawler that last wrote a table. */
  public static final String UPDATED_BY_CRAWLER = "UPDATED_BY_CRAWLER";

  /** The table parameter a DEPRECATE_IN_DATABASE crawl sets. */
  public static final String DEPRECATED = "deprecated";

  static final double SIMILARITY_THRESHOLD = 0.7;
  static final int MAX_SCHEMAS = 5;
  private static final Pattern HIVE = Pattern.compile("([^=]+)=(.*)");
  private static final Set<String> FORMAT_PARAMETERS =
      Set.of(
          "classification", "compressionType", "delimiter", "skip.header.line.count", "jsonPath");

  private final ObjectStore store;

  public Crawler(ObjectStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /**
   * What the catalog and the crawler's history look like before the crawl.
   *
   * @param tables the target database's external tables
   * @param partitions the partitions of those tables, by table name
   * @param seenFolders the leaf folders earlier crawls looked at ({@code s3://…/})
   * @param events queued object-created events for this crawler (event mode)
   * @param firstCrawl whether no crawl of this crawler has been applied yet
   */
  public record CatalogState(
      List<ExternalTable> tables,
      Map<String, List<Partition>> partitions,
      Set<String> seenFolders,
      List<EventRef> events,
      boolean firstCrawl) {}

  /** A leaf folder with its objects and classification. */
  private static final class Folder {
    final int target;
    final String bucket;
    final String key; // folder key, "" or ending in '/'
    final List<String> segments; // relative to the target's prefix
    final List<ObjectInfo> objects = new ArrayList<>();
    Classification cls;

    Folder(int target, String bucket, String key, List<String> segments) {
      this.target = target;
      this.bucket = bucket;
      this.key = key;
      this.segments = segments;
    }

    String url() {
      return "s3://" + bucket + "/" + key;
    }
  }

  /** A table the grouping produced. */
  private record Group(
      String rootUrl, String rootName, int depth, List<Folder> folders, String explanation) {}

  /** A parsed include path. */
  private record Root(String bucket, String prefix, List<Glob> excludes) {}

  /**
   * Plans a crawl.
   *
   * @throws BasinException {@link CrawlerErrorCode#TABLE_THRESHOLD_EXCEEDED} when the crawl finds
   *     more tables than the crawler allows
   */
  public CrawlPlan plan(CrawlerDefinition def, CatalogState state) {
    List<Root> roots = new ArrayList<>();
    for (CrawlerDefinition.Target t : def.targets()) {
      roots.add(root(t));
    }
    String mode;
    if (state.firstCrawl() || def.recrawlBehavior() == RecrawlBehavior.CRAWL_EVERYTHING) {
      mode = "FULL";
    } else if (def.recrawlBehavior() == RecrawlBehavior.CRAWL_NEW_FOLDERS_ONLY) {
      mode = "NEW_FOLDERS";
    } else {
      mode = "EVENTS";
    }
    List<String> notes = new ArrayList<>();
    Map<String, Folder> folders = new TreeMap<>();
    List<EventRef> consumed = new ArrayList<>();
    if (mode.equals("EVENTS")) {
      Set<String> listed = new HashSet<>();
      for (EventRef e : state.events()) {
        consumed.add(e);
        for (int i = 0; i < roots.size(); i++) {
          Root r = roots.get(i);
          if (!r.bucket().equals(e.bucket()) || !e.key().startsWith(r.prefix())) {
            continue;
          }
          String rel = e.key().substring(r.prefix().length());
          int slash = rel.lastIndexOf('/');
          String folderKey = r.prefix() + (slash < 0 ? "" : rel.substring(0, slash + 1));
          if (listed.add(r.bucket() + "/" + folderKey)) {
            collect(i, r, folderKey, "/", folders, notes);
          }
        }
      }
      notes.add(
          "event mode: "
              + consumed.size()
              + " object-created event(s) named "
              + listed.size()
              + " folder(s); only those were listed");
    } else {
      // a full listing covers whatever events were queued before it
      consumed.addAll(state.events());
      for (int i = 0; i < roots.size(); i++) {
        collect(i, roots.get(i), roots.get(i).prefix(), null, folders, notes);
      }
    }
    List<String> allFolderUrls = new ArrayList<>(folders.keySet());
    if (mode.equals("NEW_FOLDERS")) {
      int before = folders.size();
      folders.keySet().removeIf(state.seenFolders()::contains);
      notes.add(
          "new folders only: "
              + folders.size()
              + " of "
              + before
              + " folders were not seen by earlier crawls");
    }
    Classifier classifier = new Classifier(def.classifierConfig());
    List<Folder> usable = new ArrayList<>();
    for (Folder f : folders.values()) {
      classify(classifier, def.classifierConfig(), f, notes);
      if (f.cls != null && f.cls.recognized()) {
        usable.add(f);
      }
    }

    Map<String, ExternalTable> existing = new LinkedHashMap<>();
    for (ExternalTable t : state.tables()) {
      existing.put(t.name(), t);
    }
    List<Group> groups = new ArrayList<>();
    Map<ExternalTable, List<Folder>> attached = new LinkedHashMap<>();
    List<Folder> toGroup = new ArrayList<>();
    if (mode.equals("FULL")) {
      toGroup.addAll(usable);
    } else {
      for (Folder f : usable) {
        ExternalTable owner = owningTable(def, state.tables(), f.url());
        if (owner != null) {
          attached.computeIfAbsent(owner, k -> new ArrayList<>()).add(f);
        } else {
          toGroup.add(f);
        }
      }
    }
    for (int i = 0; i < roots.size(); i++) {
      List<Folder> mine = new ArrayList<>();
      for (Folder f : toGroup) {
        if (f.target == i) {
          mine.add(f);
        }
      }
      if (mine.isEmpty()) {
        continue;
      }
      Root r = roots.get(i);
      if (def.tableLevel() != null) {
        groupByLevel(r, mine, def.tableLevel(), groups, notes);
      } else {
        group(r, List.of(), mine, def.combineCompatibleSchemas(), "", groups);
      }
    }
    int found = groups.size() + attached.size();
    if (def.tableThreshold() != null && found > def.tableThreshold()) {
      throw new BasinException(
          CrawlerErrorCode.TABLE_THRESHOLD_EXCEEDED,
          "crawler '"
              + def.name()
              + "' found "
              + found
              + " tables, more than its table threshold of "
              + def.tableThreshold()
              + "; nothing was written. Point the targets at the table roots, add exclude"
              + " patterns, set combineCompatibleSchemas or tableLevel, or raise the threshold");
    }

    Planner p = new Planner(def, mode, state, existing, notes);
    Set<String> usedNames = new HashSet<>();
    for (Group g : groups) {
      p.planGroup(g, usedNames);
    }
    for (Map.Entry<ExternalTable, List<Folder>> e : attached.entrySet()) {
      p.planAttached(e.getKey(), e.getValue());
    }
    if (mode.equals("FULL")) {
      p.planGone(roots, usedNames);
    }
    return new CrawlPlan(
        def.name(),
        def.database(),
        mode,
        p.tables,
        p.partitions,
        new ArrayList<>(p.seen.values()),
        p.explanations,
        allFolderUrls,
        consumed,
        notes);
  }

  // ---- listing and classification

  private static Root root(CrawlerDefinition.Target t) {
    String rest = t.path().substring("s3://".length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String prefix = slash < 0 ? "" : rest.substring(slash + 1);
    if (!prefix.isEmpty() && !prefix.endsWith("/")) {
      prefix = prefix + "/";
    }
    List<Glob> excludes = new ArrayList<>();
    for (String g : t.exclusions()) {
      excludes.add(Glob.compile(g));
    }
    return new Root(bucket, prefix, excludes);
  }

  /** Lists objects under {@code prefix} (one folder when {@code delimiter} is "/"). */
  private void collect(
      int target,
      Root r,
      String prefix,
      String delimiter,
      Map<String, Folder> folders,
      List<String> notes) {
    String after = null;
    int excluded = 0;
    int hidden = 0;
    int empty = 0;
    while (true) {
      ListPage page = store.list(r.bucket(), new ListRequest(prefix, delimiter, after, 1000));
      for (ObjectInfo o : page.objects()) {
        String rel = o.key().substring(r.prefix().length());
        if (rel.isEmpty() || rel.endsWith("/")) {
          continue;
        }
        if (isHidden(rel)) {
          hidden++;
          continue;
        }
        if (o.size() == 0) {
          empty++;
          continue;
        }
        if (excludedBy(r, rel) != null) {
          excluded++;
          continue;
        }
        int slash = rel.lastIndexOf('/');
        String folderRel = slash < 0 ? "" : rel.substring(0, slash + 1);
        String key = r.prefix() + folderRel;
        Folder f =
            folders.computeIfAbsent(
                "s3://" + r.bucket() + "/" + key,
                k ->
                    new Folder(
                        target,
                        r.bucket(),
                        key,
                        folderRel.isEmpty() ? List.of() : List.of(folderRel.split("/"))));
        f.objects.add(o);
      }
      if (!page.truncated()) {
        break;
      }
      after = page.nextStartAfter();
    }
    if (excluded + hidden + empty > 0) {
      notes.add(
          "s3://"
              + r.bucket()
              + "/"
              + prefix
              + ": skipped "
              + excluded
              + " excluded, "
              + hidden
              + " hidden (_ or . prefixed, e.g. _SUCCESS, _temporary/) and "
              + empty
              + " empty object(s)");
    }
  }

  static boolean isHidden(String relativeKey) {
    for (String part : relativeKey.split("/")) {
      if (part.startsWith("_") || part.startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  private static Glob excludedBy(Root r, String rel) {
    for (Glob g : r.excludes()) {
      if (g.matches(rel)) {
        return g;
      }
    }
    return null;
  }

  private void classify(Classifier classifier, ClassifierConfig config, Folder f, List<String> n) {
    f.objects.sort((a, b) -> a.key().compareTo(b.key()));
    List<ObjectSample> samples = new ArrayList<>();
    for (ObjectInfo o : f.objects.subList(0, Math.min(f.objects.size(), config.filesPerTable()))) {
      samples.add(sample(o, config.sampleBytes()));
    }
    try {
      Classification first = classifier.classify(samples.get(0));
      if (first.format() == DataFormat.PARQUET) {
        // Parquet files declare exact types: merge them as declared (int stays int) rather
        // than through the value-vote widening that text formats need
        List<Column> columns = first.columns();
        for (ObjectSample s : samples.subList(1, samples.size())) {
          Classification c = classifier.classify(s);
          if (c.format() != DataFormat.PARQUET) {
            throw new BasinException(
                CrawlerErrorCode.INCOMPATIBLE_FILES,
                "'"
                    + first.objectName()
                    + "' is parquet but '"
                    + s.name()
                    + "' is "
                    + c.classification()
                    + "; they cannot be one table");
          }
          columns = SchemaMerger.merge(columns, c.columns());
        }
        f.cls =
            new Classification(
                first.objectName(),
                first.format(),
                first.compression(),
                null,
                null,
                columns,
                first.serdeLibrary(),
                first.serdeParameters(),
                first.tableParameters(),
                first.confidence(),
                first.explanation());
        return;
      }
      f.cls = classifier.classifyTable(samples);
      if (!f.cls.recognized()) {
        n.add(f.url() + ": not classified, no table (" + f.cls.explanation() + ")");
      }
    } catch (BasinException e) {
      n.add(f.url() + ": skipped: " + e.getMessage());
    }
  }

  private ObjectSample sample(ObjectInfo o, int sampleBytes) {
    int headLength = (int) Math.min(o.size(), sampleBytes);
    byte[] head = read(o.bucket(), o.key(), 0, headLength);
    return ObjectSample.of(
        o.key(),
        head,
        Math.max(o.size(), head.length),
        (offset, length) -> read(o.bucket(), o.key(), offset, length));
  }

  private byte[] read(String bucket, String key, long offset, int length) {
    if (length <= 0) {
      return new byte[0];
    }
    try (ObjectContent c =
            store.get(bucket, key, GetOptions.range(ByteRange.of(offset, offset + length - 1)));
        InputStream in = c.stream()) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new BasinException(
          CrawlerErrorCode.READ_FAILED,
          "cannot read s3://" + bucket + "/" + key + ": " + e.getMessage(),
          e);
    }
  }

  // ---- grouping

  /** A folder's compatibility signature: format, compression, delimiter, JSON layout. */
  private static String signature(Classification c) {
    String s = c.classification() + "/" + c.compression().glueName();
    if (c.csvDialect() != null) {
      s += "/delimiter '" + c.csvDialect().delimiterName() + "'";
    }
    if (c.jsonLayout() != null) {
      s += "/" + c.jsonLayout().name().toLowerCase(Locale.ROOT);
    }
    return s;
  }

  /** Schema clusters among folders (subset/superset column-name sets share one cluster). */
  private static List<List<Folder>> clusters(List<Folder> folders) {
    List<Set<String>> unions = new ArrayList<>();
    List<List<Folder>> clusters = new ArrayList<>();
    for (Folder f : folders) {
      Set<String> names = new LinkedHashSet<>();
      f.cls.columns().forEach(c -> names.add(c.name()));
      boolean placed = false;
      for (int i = 0; i < unions.size(); i++) {
        Set<String> u = unions.get(i);
        if (u.containsAll(names) || names.containsAll(u)) {
          u.addAll(names);
          clusters.get(i).add(f);
          placed = true;
          break;
        }
      }
      if (!placed) {
        unions.add(names);
        List<Folder> c = new ArrayList<>();
        c.add(f);
        clusters.add(c);
      }
    }
    return clusters;
  }

  private record Similarity(boolean sameDepth, Set<String> signatures, double share, int schemas) {
    boolean compatible() {
      return sameDepth && signatures.size() == 1;
    }

    boolean similar(boolean combine) {
      return compatible() && (combine || (share > SIMILARITY_THRESHOLD && schemas <= MAX_SCHEMAS));
    }

    String describe(boolean combine) {
      if (!sameDepth) {
        return "the folders are at different depths";
      }
      if (signatures.size() > 1) {
        return "the formats are not compatible: " + String.join(", ", signatures);
      }
      String s =
          Math.round(share * 100)
              + "% of the folders match the majority schema, "
              + schemas
              + " distinct schema(s)";
      if (combine) {
        return s + "; combineCompatibleSchemas ignores schema differences";
      }
      return s
          + (similar(false)
              ? " (similar: > 70% and at most 5)"
              : " (not similar: needs > 70% and at most 5)");
    }
  }

  private static Similarity similarity(List<String> base, List<Folder> folders) {
    Set<Integer> depths = new HashSet<>();
    Set<String> signatures = new LinkedHashSet<>();
    for (Folder f : folders) {
      depths.add(f.segments.size() - base.size());
      signatures.add(signature(f.cls));
    }
    List<List<Folder>> clusters = clusters(folders);
    int largest = 0;
    for (List<Folder> c : clusters) {
      largest = Math.max(largest, c.size());
    }
    return new Similarity(
        depths.size() == 1, signatures, (double) largest / folders.size(), clusters.size());
  }

  /** Decides the table roots under the folder {@code base} (relative to the include path). */
  private void group(
      Root r,
      List<String> base,
      List<Folder> folders,
      boolean combine,
      String context,
      List<Group> out) {
    String url = "s3://" + r.bucket() + "/" + r.prefix() + join(base);
    Similarity sim = similarity(base, folders);
    if (sim.similar(combine)) {
      int depth = folders.get(0).segments.size() - base.size();
      String text =
          folders.size() == 1 && depth == 0
              ? context + "the files in " + url + " → one table"
              : context
                  + folders.size()
                  + " folder(s) under "
                  + url
                  + ": "
                  + sim.describe(combine)
                  + (depth == 0
                      ? " → one table of the files in the folder"
                      : " → one table with " + depth + " partition level(s)");
      out.add(new Group(url, rootName(r, base), depth, folders, text));
      return;
    }
    String why = "split at " + url + " (" + sim.describe(combine) + "); ";
    Map<String, List<Folder>> children = new TreeMap<>();
    List<Folder> here = new ArrayList<>();
    for (Folder f : folders) {
      if (f.segments.size() == base.size()) {
        here.add(f);
      } else {
        children.computeIfAbsent(f.segments.get(base.size()), k -> new ArrayList<>()).add(f);
      }
    }
    for (Folder f : here) {
      out.add(
          new Group(
              url,
              rootName(r, base),
              0,
              List.of(f),
              context + why + "the files directly in " + url + " → their own table"));
    }
    for (Map.Entry<String, List<Folder>> e : children.entrySet()) {
      List<String> next = new ArrayList<>(base);
      next.add(e.getKey());
      group(r, next, e.getValue(), combine, context + why, out);
    }
  }

  private void groupByLevel(
      Root r, List<Folder> folders, int level, List<Group> out, List<String> notes) {
    // the bucket is level 1: a root at level L has L - 1 key segments
    int rootSegments = level - 1;
    List<String> prefixSegments = r.prefix().isEmpty() ? List.of() : List.of(r.prefix().split("/"));
    Map<String, List<Folder>> byRoot = new TreeMap<>();
    for (Folder f : folders) {
      List<String> full = new ArrayList<>(prefixSegments);
      full.addAll(f.segments);
      if (full.size() < rootSegments) {
        notes.add(
            f.url()
                + " is above table level "
                + level
                + "; it is its own table root (level "
                + (full.size() + 1)
                + ")");
      }
      int take = Math.max(Math.min(full.size(), rootSegments), prefixSegments.size());
      byRoot.computeIfAbsent(join(full.subList(0, take)), k -> new ArrayList<>()).add(f);
    }
    for (Map.Entry<String, List<Folder>> e : byRoot.entrySet()) {
      String rootKey = e.getKey();
      List<Folder> members = e.getValue();
      int relBase = Math.max(0, segmentsOf(rootKey).size() - prefixSegments.size());
      List<String> base = relBase == 0 ? List.of() : members.get(0).segments.subList(0, relBase);
      // the largest set of compatible folders at one depth forms the table
      Map<String, List<Folder>> bySignature = new LinkedHashMap<>();
      for (Folder f : members) {
        bySignature
            .computeIfAbsent(signature(f.cls) + "@" + f.segments.size(), k -> new ArrayList<>())
            .add(f);
      }
      List<Folder> chosen = null;
      for (List<Folder> c : bySignature.values()) {
        if (chosen == null || c.size() > chosen.size()) {
          chosen = c;
        }
      }
      for (List<Folder> c : bySignature.values()) {
        if (c != chosen) {
          for (Folder f : c) {
            notes.add(
                f.url()
                    + ": skipped, its format or depth ("
                    + signature(f.cls)
                    + ") differs from the rest of table root s3://"
                    + r.bucket()
                    + "/"
                    + rootKey);
          }
        }
      }
      Similarity sim = similarity(base, chosen);
      String url = "s3://" + r.bucket() + "/" + rootKey;
      int depth = chosen.get(0).segments.size() - base.size();
      out.add(
          new Group(
              url,
              rootName(r.bucket(), rootKey),
              depth,
              chosen,
              "table level "
                  + level
                  + " sets the table root to "
                  + url
                  + " ("
                  + chosen.size()
                  + " folder(s); "
                  + sim.describe(true)
                  + ")"));
    }
  }

  private static List<String> segmentsOf(String key) {
    return key.isEmpty() ? List.of() : List.of(key.split("/"));
  }

  private static String join(List<String> segments) {
    StringBuilder sb = new StringBuilder();
    for (String s : segments) {
      sb.append(s).append('/');
    }
    return sb.toString();
  }

  private static String rootName(Root r, List<String> base) {
    return rootName(r.bucket(), r.prefix() + join(base));
  }

  private static String rootName(String bucket, String key) {
    List<String> segs = segmentsOf(key);
    return segs.isEmpty() ? bucket : segs.get(segs.size() - 1);
  }

  /** Lower case; anything but a-z, 0-9 and _ becomes _. */
  static String sanitize(String name) {
    StringBuilder sb = new StringBuilder();
    for (char ch : name.toLowerCase(Locale.ROOT).toCharArray()) {
      sb.append((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ? ch : '_');
    }
    String s = sb.toString();
    if (s.isEmpty()) {
      s = "table";
    }
    return s.length() > 240 ? s.substring(0, 240) : s;
  }

  private static ExternalTable owningTable(
      CrawlerDefinition def, List<ExternalTable> tables, String folderUrl) {
    ExternalTable best = null;
    for (ExternalTable t : tables) {
      if (def.name().equals(t.parameters().get(UPDATED_BY_CRAWLER))
          && folderUrl.startsWith(t.location())
          && (best == null || t.location().length() > best.location().length())) {
        best = t;
      }
    }
    return best;
  }

  // ---- the diff against the catalog

  /** Accumulates the plan's changes. */
  private final class Planner {
    final CrawlerDefinition def;
    final String mode;
    final CatalogState state;
    final Map<String, ExternalTable> existing;
    final List<String> notes;
    final List<TableChange> tables = new ArrayList<>();
    final List<PartitionChange> partitions = new ArrayList<>();
    final Map<String, SeenTable> seen = new LinkedHashMap<>();
    final List<TableExplanation> explanations = new ArrayList<>();

    Planner(
        CrawlerDefinition def,
        String mode,
        CatalogState state,
        Map<String, ExternalTable> existing,
        List<String> notes) {
      this.def = def;
      this.mode = mode;
      this.state = state;
      this.existing = existing;
      this.notes = notes;
    }

    boolean updatesLogged() {
      return mode.equals("NEW_FOLDERS") || def.updateBehavior() == UpdateBehavior.LOG;
    }

    boolean mergeOnly() {
      return def.addOrUpdateBehavior() == CrawlerDefinition.AddOrUpdateBehavior.MERGE_NEW_COLUMNS
          || !mode.equals("FULL");
    }

    void see(String table) {
      ExternalTable t = existing.get(table);
      seen.putIfAbsent(table, new SeenTable(table, t == null ? null : t.versionId()));
    }

    void planGroup(Group g, Set<String> usedNames) {
      String name = sanitize(def.tablePrefix() + g.rootName());
      ExternalTable same = existing.get(name);
      if (usedNames.contains(name) || (same != null && !same.location().equals(g.rootUrl()))) {
        name = sanitize(name + "_" + shortHash(g.rootUrl()));
      }
      usedNames.add(name);
      TableInput wanted = definition(name, g);
      List<String> folderUrls = new ArrayList<>();
      g.folders().forEach(f -> folderUrls.add(f.url()));
      Similarity sim = similarity(baseOf(g), g.folders());
      explanations.add(
          new TableExplanation(
              name,
              g.rootUrl(),
              folderUrls,
              sim.share(),
              sim.schemas(),
              g.explanation()
                  + "; "
                  + wanted.format().classification()
                  + ", "
                  + wanted.columns().size()
                  + " column(s)"
                  + (wanted.partitionKeys().isEmpty()
                      ? ""
                      : ", partition keys "
                          + wanted.partitionKeys().stream().map(Column::name).toList())));
      ExternalTable current = existing.get(name);
      see(name);
      if (current == null) {
        tables.add(
            new TableChange(
                TableAction.CREATE, name, false, null, wanted, describe(wanted), List.of()));
        for (Folder f : g.folders()) {
          partitionAdd(name, values(g, wanted, f), f.url(), g.depth());
        }
        return;
      }
      TableInput merged = planUpdate(current, wanted);
      TableInput effective = merged == null ? current.toInput() : merged;
      boolean keysChanged =
          !names(effective.partitionKeys()).equals(names(current.partitionKeys()));
      Map<List<String>, Partition> have = new LinkedHashMap<>();
      for (Partition p : state.partitions().getOrDefault(name, List.of())) {
        have.put(p.values(), p);
      }
      Set<List<String>> found = new HashSet<>();
      for (Folder f : g.folders()) {
        List<String> v = values(g, effective, f);
        found.add(v);
        if (g.depth() > 0 && (keysChanged || !have.containsKey(v))) {
          partitionAdd(name, v, f.url(), g.depth());
        }
      }
      if (!mode.equals("FULL")) {
        return;
      }
      for (Partition p : have.values()) {
        if (keysChanged) {
          partitions.add(
              new PartitionChange(
                  PartitionAction.DELETE, name, p.values(), p.location(), merged == null));
        } else if (!found.contains(p.values())) {
          boolean apply = def.deleteBehavior() == DeleteBehavior.DELETE_FROM_DATABASE;
          partitions.add(
              new PartitionChange(PartitionAction.DELETE, name, p.values(), p.location(), !apply));
          if (!apply) {
            notes.add(
                "partition "
                    + p.values()
                    + " of "
                    + name
                    + " has no objects any more; kept ("
                    + def.deleteBehavior()
                    + ")");
          }
        }
      }
    }

    private void partitionAdd(String table, List<String> values, String url, int depth) {
      if (depth > 0) {
        partitions.add(new PartitionChange(PartitionAction.ADD, table, values, url, false));
      }
    }

    /**
     * Adds the table change for an existing table, if any.
     *
     * @return the definition after the change when it is applied, else null
     */
    private TableInput planUpdate(ExternalTable current, TableInput wanted) {
      String name = current.name();
      TableInput before = current.toInput();
      boolean formatChanged = formatChanged(before, wanted);
      if (mergeOnly() && formatChanged) {
        TableInput after = withParameter(before, DEPRECATED, "true");
        List<String> diff = new ArrayList<>(diff(before, wanted));
        diff.add(0, "format changed (" + signatureOf(before) + " → " + signatureOf(wanted) + ")");
        boolean log = updatesLogged() || "true".equals(before.parameters().get(DEPRECATED));
        tables.add(
            new TableChange(TableAction.DEPRECATE, name, log, before, after, diff, List.of()));
        return null;
      }
      TableInput after;
      if (mergeOnly()) {
        List<Column> cols = new ArrayList<>(before.columns());
        Set<String> have = names(cols);
        for (Column c : wanted.columns()) {
          if (!have.contains(c.name())) {
            cols.add(c);
          }
        }
        Map<String, String> params = new LinkedHashMap<>(before.parameters());
        params.put(UPDATED_BY_CRAWLER, def.name());
        Map<String, String> serde = new LinkedHashMap<>(before.serdeParameters());
        if (wanted.format() == DataFormat.JSON && wanted.serdeParameters().containsKey("paths")) {
          serde.put("paths", String.join(",", names(cols)));
        }
        after =
            new TableInput(
                name,
                before.description(),
                cols,
                before.partitionKeys(),
                before.location(),
                before.format(),
                before.serdeLibrary(),
                serde,
                params);
      } else {
        after = wanted;
      }
      List<String> diff = diff(before, after);
      if (diff.isEmpty()) {
        return null;
      }
      boolean log = updatesLogged();
      tables.add(new TableChange(TableAction.UPDATE, name, log, before, after, diff, List.of()));
      return log ? null : after;
    }

    void planAttached(ExternalTable table, List<Folder> folders) {
      String name = table.name();
      see(name);
      List<Column> merged = new ArrayList<>();
      List<Folder> matching = new ArrayList<>();
      for (Folder f : folders) {
        if (!f.cls.classification().equals(table.classification())) {
          notes.add(
              f.url()
                  + " is "
                  + f.cls.classification()
                  + " but table "
                  + name
                  + " is "
                  + table.classification()
                  + "; not added");
          continue;
        }
        List<String> rel = segmentsOf(f.url().substring(table.location().length()));
        if (rel.size() != table.partitionKeys().size()) {
          notes.add(
              f.url()
                  + " is "
                  + rel.size()
                  + " folder(s) below table "
                  + name
                  + " which has "
                  + table.partitionKeys().size()
                  + " partition key(s); not added");
          continue;
        }
        matching.add(f);
        merged = SchemaMerger.merge(merged, f.cls.columns());
      }
      if (matching.isEmpty()) {
        return;
      }
      TableInput before = table.toInput();
      List<Column> cols = new ArrayList<>(before.columns());
      Set<String> have = names(cols);
      for (Column c : merged) {
        if (!have.contains(c.name())) {
          cols.add(c);
        }
      }
      List<String> retyped = new ArrayList<>();
      for (Column c : merged) {
        for (Column b : before.columns()) {
          if (b.name().equals(c.name())
              && !b.type().equals(SchemaMerger.widen(b.type(), c.type()))) {
            retyped.add("~ column " + b.name() + ": " + b.type() + " → " + c.type() + " (kept)");
          }
        }
      }
      if (cols.size() > before.columns().size() || !retyped.isEmpty()) {
        TableInput after =
            new TableInput(
                name,
                before.description(),
                cols,
                before.partitionKeys(),
                before.location(),
                before.format(),
                before.serdeLibrary(),
                before.serdeParameters(),
                before.parameters());
        List<String> diff = new ArrayList<>(diff(before, after));
        diff.addAll(retyped);
        boolean log = updatesLogged() || cols.size() == before.columns().size();
        tables.add(new TableChange(TableAction.UPDATE, name, log, before, after, diff, List.of()));
      }
      Set<List<String>> existingValues = new HashSet<>();
      for (Partition p : state.partitions().getOrDefault(name, List.of())) {
        existingValues.add(p.values());
      }
      for (Folder f : matching) {
        List<String> rel = segmentsOf(f.url().substring(table.location().length()));
        List<String> values = new ArrayList<>();
        for (int i = 0; i < rel.size(); i++) {
          values.add(partitionValue(table.partitionKeys().get(i).name(), rel.get(i)));
        }
        if (!existingValues.contains(values)) {
          partitions.add(new PartitionChange(PartitionAction.ADD, name, values, f.url(), false));
        }
      }
    }

    void planGone(List<Root> roots, Set<String> produced) {
      for (ExternalTable t : state.tables()) {
        if (!def.name().equals(t.parameters().get(UPDATED_BY_CRAWLER))
            || produced.contains(t.name())) {
          continue;
        }
        boolean underTarget = false;
        for (Root r : roots) {
          underTarget |= t.location().startsWith("s3://" + r.bucket() + "/" + r.prefix());
        }
        if (!underTarget || hasObjects(t.location())) {
          continue;
        }
        see(t.name());
        TableInput before = t.toInput();
        String why = "no objects under " + t.location() + " any more";
        if (def.deleteBehavior() == DeleteBehavior.DELETE_FROM_DATABASE) {
          List<PartitionInput> parts = new ArrayList<>();
          for (Partition p : state.partitions().getOrDefault(t.name(), List.of())) {
            parts.add(new PartitionInput(p.values(), p.location(), p.parameters()));
          }
          tables.add(
              new TableChange(
                  TableAction.DELETE, t.name(), false, before, null, List.of(why), parts));
        } else if (def.deleteBehavior() == DeleteBehavior.DEPRECATE_IN_DATABASE) {
          if (!"true".equals(before.parameters().get(DEPRECATED))) {
            tables.add(
                new TableChange(
                    TableAction.DEPRECATE,
                    t.name(),
                    false,
                    before,
                    withParameter(before, DEPRECATED, "true"),
                    List.of(why, "+ parameter deprecated=true"),
                    List.of()));
          }
        } else {
          tables.add(
              new TableChange(
                  TableAction.DELETE, t.name(), true, before, null, List.of(why), List.of()));
        }
      }
    }

    private List<String> values(Group g, TableInput table, Folder f) {
      List<String> base = baseOf(g);
      List<String> values = new ArrayList<>();
      for (int i = 0; i < g.depth(); i++) {
        String seg = f.segments.get(base.size() + i);
        values.add(partitionValue(table.partitionKeys().get(i).name(), seg));
      }
      return values;
    }

    private TableInput definition(String name, Group g) {
      List<Column> columns = new ArrayList<>();
      Classification first = g.folders().get(0).cls;
      Classification quoted = null;
      boolean header = false;
      long objects = 0;
      long bytes = 0;
      for (Folder f : g.folders()) {
        columns = SchemaMerger.merge(columns, f.cls.columns());
        if (f.cls.csvDialect() != null) {
          header |= f.cls.csvDialect().header();
          if (f.cls.csvDialect().quotedFields() && quoted == null) {
            quoted = f.cls;
          }
        }
        objects += f.objects.size();
        for (ObjectInfo o : f.objects) {
          bytes += o.size();
        }
      }
      Classification base = quoted != null ? quoted : first;
      List<String> baseSegs = baseOf(g);
      Set<String> taken = names(columns);
      List<Column> keys = new ArrayList<>();
      for (int i = 0; i < g.depth(); i++) {
        String key = null;
        for (Folder f : g.folders()) {
          java.util.regex.Matcher m = HIVE.matcher(f.segments.get(baseSegs.size() + i));
          String k = m.matches() ? sanitize(m.group(1)) : null;
          if (k == null || (key != null && !key.equals(k))) {
            key = null;
            break;
          }
          key = k;
        }
        if (key == null || taken.contains(key)) {
          key = "partition_" + i;
        }
        taken.add(key);
        keys.add(Column.of(key, "string"));
      }
      Map<String, String> params = new LinkedHashMap<>(base.tableParameters());
      if (header) {
        params.put("skip.header.line.count", "1");
      }
      params.put(UPDATED_BY_CRAWLER, def.name());
      params.put("CrawlerSchemaSerializerVersion", "1.0");
      params.put("CrawlerSchemaDeserializerVersion", "1.0");
      params.put("objectCount", Long.toString(objects));
      params.put("sizeKey", Long.toString(bytes));
      Map<String, String> serde = new LinkedHashMap<>(base.serdeParameters());
      if (base.format() == DataFormat.JSON) {
        serde.put("paths", String.join(",", names(columns)));
      }
      return new TableInput(
          name,
          null,
          columns,
          keys,
          g.rootUrl(),
          base.format(),
          base.serdeLibrary(),
          serde,
          params);
    }

    private List<String> baseOf(Group g) {
      Folder f = g.folders().get(0);
      return f.segments.subList(0, f.segments.size() - g.depth());
    }

    private boolean hasObjects(String location) {
      String rest = location.substring("s3://".length());
      int slash = rest.indexOf('/');
      String bucket = rest.substring(0, slash);
      String prefix = rest.substring(slash + 1);
      String after = null;
      while (true) {
        ListPage page;
        try {
          page = store.list(bucket, new ListRequest(prefix, null, after, 1000));
        } catch (dev.basin.spi.storage.ObjectStoreException e) {
          return false;
        }
        for (ObjectInfo o : page.objects()) {
          String rel = o.key().substring(prefix.length());
          if (o.size() > 0 && !rel.isEmpty() && !isHidden(rel)) {
            return true;
          }
        }
        if (!page.truncated()) {
          return false;
        }
        after = page.nextStartAfter();
      }
    }
  }

  private static String partitionValue(String key, String segment) {
    java.util.regex.Matcher m = HIVE.matcher(segment);
    if (m.matches() && sanitize(m.group(1)).equals(key)) {
      return m.group(2);
    }
    return segment;
  }

  private static Set<String> names(Collection<Column> cols) {
    Set<String> s = new LinkedHashSet<>();
    cols.forEach(c -> s.add(c.name()));
    return s;
  }

  private static String shortHash(String s) {
    return String.format(Locale.ROOT, "%08x", s.hashCode());
  }

  private static TableInput withParameter(TableInput t, String key, String value) {
    Map<String, String> params = new LinkedHashMap<>(t.parameters());
    params.put(key, value);
    return new TableInput(
        t.name(),
        t.description(),
        t.columns(),
        t.partitionKeys(),
        t.location(),
        t.format(),
        t.serdeLibrary(),
        t.serdeParameters(),
        params);
  }

  private static String signatureOf(TableInput t) {
    return t.format().classification()
        + "/"
        + t.parameters().getOrDefault("compressionType", "none")
        + (t.parameters().containsKey("delimiter")
            ? "/delimiter '" + t.parameters().get("delimiter") + "'"
            : "");
  }

  private static boolean formatChanged(TableInput a, TableInput b) {
    return !signatureOf(a).equals(signatureOf(b));
  }

  /** The column-level and format differences between two definitions, human-readable. */
  static List<String> diff(TableInput before, TableInput after) {
    List<String> out = new ArrayList<>();
    Map<String, String> old = new LinkedHashMap<>();
    before.columns().forEach(c -> old.put(c.name(), c.type()));
    Map<String, String> now = new LinkedHashMap<>();
    after.columns().forEach(c -> now.put(c.name(), c.type()));
    for (Map.Entry<String, String> e : now.entrySet()) {
      String was = old.get(e.getKey());
      if (was == null) {
        out.add("+ column " + e.getKey() + " " + e.getValue());
      } else if (!was.equals(e.getValue())) {
        out.add("~ column " + e.getKey() + ": " + was + " → " + e.getValue());
      }
    }
    for (String name : old.keySet()) {
      if (!now.containsKey(name)) {
        out.add("- column " + name);
      }
    }
    if (!names(before.partitionKeys()).equals(names(after.partitionKeys()))) {
      out.add(
          "~ partition keys "
              + names(before.partitionKeys())
              + " → "
              + names(after.partitionKeys()));
    }
    if (before.format() != after.format()) {
      out.add("~ format " + before.format() + " → " + after.format());
    }
    if (!Objects.equals(serde(before), serde(after))) {
      out.add("~ serde " + serde(before) + " → " + serde(after));
    }
    Set<String> keys = new LinkedHashSet<>(before.serdeParameters().keySet());
    keys.addAll(after.serdeParameters().keySet());
    for (String k : keys) {
      String a = before.serdeParameters().get(k);
      String b = after.serdeParameters().get(k);
      if (!Objects.equals(a, b)) {
        out.add("~ serde parameter " + k + ": " + show(a) + " → " + show(b));
      }
    }
    for (String k : FORMAT_PARAMETERS) {
      String a = before.parameters().get(k);
      String b = after.parameters().get(k);
      if (!Objects.equals(a, b)) {
        out.add("~ parameter " + k + ": " + show(a) + " → " + show(b));
      }
    }
    if (!Objects.equals(before.parameters().get(DEPRECATED), after.parameters().get(DEPRECATED))) {
      out.add(
          "~ parameter deprecated: "
              + show(before.parameters().get(DEPRECATED))
              + " → "
              + show(after.parameters().get(DEPRECATED)));
    }
    return out;
  }

  private static String serde(TableInput t) {
    return t.serdeLibrary() == null ? t.format().serdeLibrary() : t.serdeLibrary();
  }

  private static String show(String v) {
    return v == null ? "(none)" : "'" + v + "'";
  }

  private static List<String> describe(TableInput t) {
    List<String> out = new ArrayList<>();
    for (Column c : t.columns()) {
      out.add("+ column " + c.name() + " " + c.type());
    }
    for (Column c : t.partitionKeys()) {
      out.add("+ partition key " + c.name() + " " + c.type());
    }
    return out;
  }
}
