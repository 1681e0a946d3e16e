package dev.basin.spi.storage;

import java.util.Map;

/**
 * One lifecycle rule, as S3's {@code Rule} element. Day counts are null when the action is absent.
 *
 * @param id the rule's id (unique in the bucket)
 * @param enabled {@code Status} Enabled or Disabled
 * @param filter which objects it applies to
 * @param transitionDays move current versions to {@code transitionStorageClass} this many days
 *     after creation
 * @param transitionStorageClass the cold class, e.g. {@code GLACIER}, {@code STANDARD_IA}
 * @param expirationDays expire current versions this many days after creation (in a versioned
 *     bucket this adds a delete marker)
 * @param expiredObjectDeleteMarker remove delete markers that have no noncurrent versions left
 * @param noncurrentDays permanently delete noncurrent versions this many days after they became
 *     noncurrent
 * @param newerNoncurrentVersions keep this many newest noncurrent versions regardless of age, or
 *     null
 * @param noncurrentTransitionDays move noncurrent versions to {@code transitionStorageClass} this
 *     many days after they became noncurrent
 * @param abortIncompleteMultipartDays abort uploads started this many days ago
 */
public record LifecycleRule(
    String id,
    boolean enabled,
    Filter filter,
    Integer transitionDays,
    String transitionStorageClass,
    Integer expirationDays,
    boolean expiredObjectDeleteMarker,
    Integer noncurrentDays,
    Integer newerNoncurrentVersions,
    Integer noncurrentTransitionDays,
    Integer abortIncompleteMultipartDays) {

  /**
   * Which objects a rule applies to: all of prefix, tags and size bounds must match.
   *
   * @param prefix key prefix, empty for all
   * @param tags tags the object must carry with these values
   * @param sizeGreaterThan only objects larger than this, or null
   * @param sizeLessThan only objects smaller than this, or null
   */
  public record Filter(
      String prefix, Map<String, String> tags, Long sizeGreaterThan, Long sizeLessThan) {

    public Filter {
      prefix = prefix == null ? "" : prefix;
      tags = tags == null ? Map.of() : Map.copyOf(tags);
    }

    public static Filter all() {
      return new Filter("", Map.of(), null, null);
    }

    public static Filter prefix(String prefix) {
      return new Filter(prefix, Map.of(), null, null);
    }
  }
}
