package dev.basin.server.s3;

import dev.basin.spi.storage.CompletedPart;
import dev.basin.spi.storage.LifecycleConfiguration;
import dev.basin.spi.storage.LifecycleRule;
import dev.basin.spi.storage.ObjectRef;
import dev.basin.spi.storage.VersioningStatus;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decodes S3's XML request documents into the store's types and encodes the configuration documents
 * that S3 returns in the same shape (lifecycle, tagging, versioning). Listing and result documents
 * are written by {@link S3Responses}.
 */
final class S3Xml {
  /** S3's limit on keys in one DeleteObjects request. */
  static final int MAX_DELETE_KEYS = 1000;

  /** S3's limits on object tags. */
  static final int MAX_TAGS = 10;

  static final int MAX_TAG_KEY = 128;
  static final int MAX_TAG_VALUE = 256;

  private S3Xml() {}

  // ---------------------------------------------------------------- DeleteObjects

  /** A parsed {@code <Delete>} request. */
  record DeleteRequest(List<ObjectRef> objects, boolean quiet) {}

  static DeleteRequest parseDelete(byte[] body) {
    XmlIn.Element root = XmlIn.parse(body, "Delete");
    List<ObjectRef> refs = new ArrayList<>();
    for (XmlIn.Element o : root.all("Object")) {
      String key = o.text("Key");
      if (key == null) {
        throw S3Exception.malformedXml("every <Object> needs a <Key>");
      }
      String version = o.text("VersionId");
      refs.add(new ObjectRef(key, version == null || version.isEmpty() ? null : version));
    }
    if (refs.isEmpty()) {
      throw S3Exception.malformedXml("<Delete> names no <Object>");
    }
    if (refs.size() > MAX_DELETE_KEYS) {
      throw S3Exception.malformedXml(
          "<Delete> names "
              + refs.size()
              + " objects; at most "
              + MAX_DELETE_KEYS
              + " are allowed");
    }
    String quiet = root.text("Quiet");
    return new DeleteRequest(refs, quiet != null && parseBoolean(quiet, "Quiet"));
  }

  // ---------------------------------------------------------------- multipart

  static List<CompletedPart> parseCompleteMultipartUpload(byte[] body) {
    XmlIn.Element root = XmlIn.parse(body, "CompleteMultipartUpload");
    List<CompletedPart> parts = new ArrayList<>();
    for (XmlIn.Element p : root.all("Part")) {
      String number = p.text("PartNumber");
      String etag = p.text("ETag");
      if (number == null || etag == null) {
        throw S3Exception.malformedXml("every <Part> needs <PartNumber> and <ETag>");
      }
      int n;
      try {
        n = Integer.parseInt(number);
      } catch (NumberFormatException e) {
        throw S3Exception.malformedXml("<PartNumber> must be an integer, was '" + number + "'");
      }
      parts.add(new CompletedPart(n, unquote(etag)));
    }
    if (parts.isEmpty()) {
      throw S3Exception.malformedXml("<CompleteMultipartUpload> names no <Part>");
    }
    return parts;
  }

  /** An ETag without the surrounding double quotes clients may or may not send. */
  static String unquote(String etag) {
    String e = etag.strip();
    if (e.startsWith("W/")) {
      e = e.substring(2);
    }
    if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
      e = e.substring(1, e.length() - 1);
    }
    return e;
  }

  // ---------------------------------------------------------------- buckets

  /**
   * Checks an optional {@code <CreateBucketConfiguration>}: any location constraint is accepted
   * (Basin has one region, and accepts the one given, as for SigV4).
   */
  static void parseCreateBucket(byte[] body) {
    if (body == null
        || body.length == 0
        || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
      return;
    }
    XmlIn.Element root = XmlIn.parse(body, "CreateBucketConfiguration");
    for (XmlIn.Element c : root.children()) {
      if (!c.name().equals("LocationConstraint")) {
        throw S3Exception.notImplemented("CreateBucketConfiguration/" + c.name());
      }
    }
  }

  static VersioningStatus parseVersioning(byte[] body) {
    XmlIn.Element root = XmlIn.parse(body, "VersioningConfiguration");
    String mfa = root.text("MfaDelete");
    if (mfa != null && mfa.equals("Enabled")) {
      throw S3Exception.notImplemented("MfaDelete");
    }
    String status = root.text("Status");
    if ("Enabled".equals(status)) {
      return VersioningStatus.ENABLED;
    }
    if ("Suspended".equals(status)) {
      return VersioningStatus.SUSPENDED;
    }
    throw S3Exception.malformedXml(
        "<Status> must be Enabled or Suspended, was "
            + (status == null ? "missing" : "'" + status + "'"));
  }

  static byte[] versioning(VersioningStatus status) {
    XmlOut x = XmlOut.document("VersioningConfiguration");
    if (status == VersioningStatus.ENABLED) {
      x.element("Status", "Enabled");
    } else if (status == VersioningStatus.SUSPENDED) {
      x.element("Status", "Suspended");
    }
    return x.toBytes();
  }

  // ---------------------------------------------------------------- tagging

  static Map<String, String> parseTagging(byte[] body) {
    XmlIn.Element root = XmlIn.parse(body, "Tagging");
    XmlIn.Element set = root.child("TagSet");
    if (set == null) {
      throw S3Exception.malformedXml("<Tagging> needs a <TagSet>");
    }
    Map<String, String> tags = new LinkedHashMap<>();
    for (XmlIn.Element t : set.all("Tag")) {
      String k = t.text("Key");
      String v = t.text("Value");
      if (k == null || v == null) {
        throw S3Exception.malformedXml("every <Tag> needs <Key> and <Value>");
      }
      if (tags.put(k, v) != null) {
        throw S3Exception.invalidArgument(
            "Cannot provide multiple Tags with the same key", "Tag", k);
      }
    }
    checkTags(tags);
    return tags;
  }

  /** Checks S3's tag limits: at most 10 tags, keys 1–128 and values 0–256 characters. */
  static void checkTags(Map<String, String> tags) {
    if (tags.size() > MAX_TAGS) {
      throw new S3Exception(
          "BadRequest",
          400,
          "Object tags cannot be greater than " + MAX_TAGS + " (got " + tags.size() + ")");
    }
    for (Map.Entry<String, String> e : tags.entrySet()) {
      if (e.getKey().isEmpty() || e.getKey().length() > MAX_TAG_KEY) {
        throw S3Exception.invalidArgument(
            "The TagKey you have provided is invalid (1 to " + MAX_TAG_KEY + " characters)",
            "TagKey",
            e.getKey());
      }
      if (e.getValue().length() > MAX_TAG_VALUE) {
        throw S3Exception.invalidArgument(
            "The TagValue you have provided is too long (at most " + MAX_TAG_VALUE + " characters)",
            "TagValue",
            e.getValue());
      }
    }
  }

  static byte[] tagging(Map<String, String> tags) {
    XmlOut x = XmlOut.document("Tagging").start("TagSet");
    for (Map.Entry<String, String> e : new java.util.TreeMap<>(tags).entrySet()) {
      x.start("Tag").element("Key", e.getKey()).element("Value", e.getValue()).end();
    }
    return x.end().toBytes();
  }

  // ---------------------------------------------------------------- lifecycle

  static LifecycleConfiguration parseLifecycle(byte[] body) {
    XmlIn.Element root = XmlIn.parse(body, "LifecycleConfiguration");
    List<XmlIn.Element> ruleElements = root.all("Rule");
    if (ruleElements.isEmpty()) {
      throw S3Exception.malformedXml("<LifecycleConfiguration> needs at least one <Rule>");
    }
    if (ruleElements.size() > 1000) {
      throw S3Exception.invalidArgument(
          "A lifecycle configuration can have at most 1000 rules",
          "Rule",
          Integer.toString(ruleElements.size()));
    }
    List<LifecycleRule> rules = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    int index = 0;
    for (XmlIn.Element r : ruleElements) {
      index++;
      LifecycleRule rule = parseRule(r, index);
      if (!ids.add(rule.id())) {
        throw S3Exception.invalidArgument(
            "Rule ID must be unique. Found same ID for more than one rule", "ID", rule.id());
      }
      rules.add(rule);
    }
    return new LifecycleConfiguration(rules);
  }

  private static LifecycleRule parseRule(XmlIn.Element r, int index) {
    String id = r.text("ID");
    if (id == null || id.isEmpty()) {
      id = "rule-" + index;
    }
    if (id.length() > 255) {
      throw S3Exception.invalidArgument(
          "ID length should not exceed allowed limit of 255", "ID", id);
    }
    String status = r.text("Status");
    if (!"Enabled".equals(status) && !"Disabled".equals(status)) {
      throw S3Exception.malformedXml(
          "rule '"
              + id
              + "': <Status> must be Enabled or Disabled, was "
              + (status == null ? "missing" : "'" + status + "'"));
    }
    XmlIn.Element filterElement = r.child("Filter");
    String legacyPrefix = r.text("Prefix");
    if (filterElement != null && legacyPrefix != null) {
      throw S3Exception.malformedXml("rule '" + id + "' has both <Filter> and <Prefix>");
    }
    LifecycleRule.Filter filter =
        filterElement != null
            ? parseFilter(filterElement, id)
            : LifecycleRule.Filter.prefix(legacyPrefix == null ? "" : legacyPrefix);

    Integer transitionDays = null;
    String storageClass = null;
    List<XmlIn.Element> transitions = r.all("Transition");
    if (transitions.size() > 1) {
      throw S3Exception.notImplemented("more than one <Transition> in rule '" + id + "'");
    }
    if (transitions.size() == 1) {
      XmlIn.Element t = transitions.get(0);
      if (t.child("Date") != null) {
        throw S3Exception.notImplemented("<Transition><Date> (use <Days>) in rule '" + id + "'");
      }
      transitionDays = days(t, "Days", id, true);
      storageClass = required(t, "StorageClass", id);
    }
    Integer expirationDays = null;
    boolean expiredObjectDeleteMarker = false;
    XmlIn.Element expiration = r.child("Expiration");
    if (expiration != null) {
      if (expiration.child("Date") != null) {
        throw S3Exception.notImplemented("<Expiration><Date> (use <Days>) in rule '" + id + "'");
      }
      expirationDays = days(expiration, "Days", id, false);
      String marker = expiration.text("ExpiredObjectDeleteMarker");
      expiredObjectDeleteMarker =
          marker != null && parseBoolean(marker, "ExpiredObjectDeleteMarker");
      if (expirationDays == null && marker == null) {
        throw S3Exception.malformedXml(
            "rule '" + id + "': <Expiration> needs <Days> or <ExpiredObjectDeleteMarker>");
      }
      if (expirationDays != null && marker != null) {
        throw S3Exception.malformedXml(
            "rule '"
                + id
                + "': <Expiration> cannot have both <Days> and <ExpiredObjectDeleteMarker>");
      }
    }
    Integer noncurrentDays = null;
    Integer newerNoncurrent = null;
    XmlIn.Element nve = r.child("NoncurrentVersionExpiration");
    if (nve != null) {
      noncurrentDays = days(nve, "NoncurrentDays", id, true);
      newerNoncurrent = days(nve, "NewerNoncurrentVersions", id, false);
    }
    Integer noncurrentTransitionDays = null;
    List<XmlIn.Element> nvts = r.all("NoncurrentVersionTransition");
    if (nvts.size() > 1) {
      throw S3Exception.notImplemented(
          "more than one <NoncurrentVersionTransition> in rule '" + id + "'");
    }
    if (nvts.size() == 1) {
      XmlIn.Element t = nvts.get(0);
      if (t.child("NewerNoncurrentVersions") != null) {
        throw S3Exception.notImplemented("<NoncurrentVersionTransition><NewerNoncurrentVersions>");
      }
      noncurrentTransitionDays = days(t, "NoncurrentDays", id, true);
      String cls = required(t, "StorageClass", id);
      if (storageClass != null && !storageClass.equals(cls)) {
        throw S3Exception.notImplemented(
            "different storage classes for <Transition> and <NoncurrentVersionTransition> in rule '"
                + id
                + "'");
      }
      storageClass = cls;
    }
    Integer abortDays = null;
    XmlIn.Element abort = r.child("AbortIncompleteMultipartUpload");
    if (abort != null) {
      abortDays = days(abort, "DaysAfterInitiation", id, true);
    }
    if (transitionDays == null
        && expiration == null
        && noncurrentDays == null
        && noncurrentTransitionDays == null
        && abortDays == null) {
      throw S3Exception.invalidRequest(
          "At least one action needs to be specified in a rule (rule '" + id + "')");
    }
    return new LifecycleRule(
        id,
        "Enabled".equals(status),
        filter,
        transitionDays,
        storageClass,
        expirationDays,
        expiredObjectDeleteMarker,
        noncurrentDays,
        newerNoncurrent,
        noncurrentTransitionDays,
        abortDays);
  }

  private static LifecycleRule.Filter parseFilter(XmlIn.Element f, String id) {
    XmlIn.Element and = f.child("And");
    int parts = f.children().size();
    if (and != null) {
      if (parts > 1) {
        throw S3Exception.malformedXml(
            "rule '" + id + "': <Filter> with <And> must have nothing else");
      }
      return filterOf(and, id);
    }
    if (parts > 1) {
      throw S3Exception.malformedXml(
          "rule '" + id + "': <Filter> may hold one condition; combine several in <And>");
    }
    return filterOf(f, id);
  }

  private static LifecycleRule.Filter filterOf(XmlIn.Element e, String id) {
    String prefix = e.text("Prefix");
    Map<String, String> tags = new LinkedHashMap<>();
    for (XmlIn.Element t : e.all("Tag")) {
      String k = t.text("Key");
      String v = t.text("Value");
      if (k == null || v == null) {
        throw S3Exception.malformedXml("rule '" + id + "': every <Tag> needs <Key> and <Value>");
      }
      tags.put(k, v);
    }
    Long greater = size(e, "ObjectSizeGreaterThan", id);
    Long less = size(e, "ObjectSizeLessThan", id);
    for (XmlIn.Element c : e.children()) {
      switch (c.name()) {
        case "Prefix", "Tag", "ObjectSizeGreaterThan", "ObjectSizeLessThan" -> {}
        default ->
            throw S3Exception.malformedXml(
                "rule '" + id + "': unknown filter element <" + c.name() + ">");
      }
    }
    if (greater != null && less != null && less <= greater) {
      throw S3Exception.invalidArgument(
          "rule '" + id + "': ObjectSizeLessThan must be greater than ObjectSizeGreaterThan",
          "ObjectSizeLessThan",
          less.toString());
    }
    return new LifecycleRule.Filter(prefix, tags, greater, less);
  }

  private static Long size(XmlIn.Element e, String name, String id) {
    String v = e.text(name);
    if (v == null) {
      return null;
    }
    try {
      long n = Long.parseLong(v);
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException ex) {
      throw S3Exception.invalidArgument(
          "rule '" + id + "': <" + name + "> must be a non-negative integer, was '" + v + "'",
          name,
          v);
    }
  }

  private static Integer days(XmlIn.Element e, String name, String id, boolean required) {
    String v = e.text(name);
    if (v == null) {
      if (required) {
        throw S3Exception.malformedXml(
            "rule '" + id + "': <" + e.name() + "> needs <" + name + ">");
      }
      return null;
    }
    try {
      int n = Integer.parseInt(v);
      boolean zeroOk =
          name.equals("Days") && e.name().equals("Transition")
              || name.equals("NewerNoncurrentVersions");
      if (n < (zeroOk ? 0 : 1)) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException ex) {
      throw S3Exception.invalidArgument(
          "rule '"
              + id
              + "': '"
              + name
              + "' for "
              + e.name()
              + " must be a positive integer, was '"
              + v
              + "'",
          name,
          v);
    }
  }

  private static String required(XmlIn.Element e, String name, String id) {
    String v = e.text(name);
    if (v == null || v.isEmpty()) {
      throw S3Exception.malformedXml("rule '" + id + "': <" + e.name() + "> needs <" + name + ">");
    }
    return v;
  }

  static byte[] lifecycle(LifecycleConfiguration config) {
    XmlOut x = XmlOut.document("LifecycleConfiguration");
    for (LifecycleRule r : config.rules()) {
      x.start("Rule").element("ID", r.id());
      writeFilter(x, r.filter());
      x.element("Status", r.enabled() ? "Enabled" : "Disabled");
      if (r.transitionDays() != null) {
        x.start("Transition")
            .element("Days", r.transitionDays())
            .element("StorageClass", r.transitionStorageClass())
            .end();
      }
      if (r.expirationDays() != null || r.expiredObjectDeleteMarker()) {
        x.start("Expiration");
        if (r.expirationDays() != null) {
          x.element("Days", r.expirationDays());
        } else {
          x.element("ExpiredObjectDeleteMarker", "true");
        }
        x.end();
      }
      if (r.noncurrentTransitionDays() != null) {
        x.start("NoncurrentVersionTransition")
            .element("NoncurrentDays", r.noncurrentTransitionDays())
            .element("StorageClass", r.transitionStorageClass())
            .end();
      }
      if (r.noncurrentDays() != null) {
        x.start("NoncurrentVersionExpiration")
            .element("NoncurrentDays", r.noncurrentDays())
            .element("NewerNoncurrentVersions", r.newerNoncurrentVersions())
            .end();
      }
      if (r.abortIncompleteMultipartDays() != null) {
        x.start("AbortIncompleteMultipartUpload")
            .element("DaysAfterInitiation", r.abortIncompleteMultipartDays())
            .end();
      }
      x.end();
    }
    return x.toBytes();
  }

  private static void writeFilter(XmlOut x, LifecycleRule.Filter f) {
    int conditions =
        (f.prefix().isEmpty() ? 0 : 1)
            + f.tags().size()
            + (f.sizeGreaterThan() == null ? 0 : 1)
            + (f.sizeLessThan() == null ? 0 : 1);
    x.start("Filter");
    if (conditions == 0) {
      x.element("Prefix", "");
    } else if (conditions == 1) {
      writeConditions(x, f);
    } else {
      x.start("And");
      writeConditions(x, f);
      x.end();
    }
    x.end();
  }

  private static void writeConditions(XmlOut x, LifecycleRule.Filter f) {
    if (!f.prefix().isEmpty()) {
      x.element("Prefix", f.prefix());
    }
    for (Map.Entry<String, String> t : new java.util.TreeMap<>(f.tags()).entrySet()) {
      x.start("Tag").element("Key", t.getKey()).element("Value", t.getValue()).end();
    }
    x.element("ObjectSizeGreaterThan", f.sizeGreaterThan());
    x.element("ObjectSizeLessThan", f.sizeLessThan());
  }

  private static boolean parseBoolean(String v, String name) {
    if (v.equalsIgnoreCase("true")) {
      return true;
    }
    if (v.equalsIgnoreCase("false")) {
      return false;
    }
    throw S3Exception.malformedXml("<" + name + "> must be true or false, was '" + v + "'");
  }
}
