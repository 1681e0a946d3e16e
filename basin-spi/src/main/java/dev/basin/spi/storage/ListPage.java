package dev.basin.spi.storage;

import java.util.List;

/**
 * One page of a listing.
 *
 * @param objects current objects in key order
 * @param commonPrefixes rolled-up prefixes in order
 * @param truncated whether more follow
 * @param nextStartAfter the last key or common prefix of this page, to pass as the next request's
 *     {@code startAfter}; null when not truncated
 */
public record ListPage(
    List<ObjectInfo> objects,
    List<String> commonPrefixes,
    boolean truncated,
    String nextStartAfter) {}
