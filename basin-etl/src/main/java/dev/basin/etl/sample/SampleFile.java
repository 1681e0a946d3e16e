package dev.basin.etl.sample;

/**
 * One file written by a sample dataset.
 *
 * @param name relative path, e.g. {@code tracks/tracks.csv}
 * @param rows data rows, not counting the header
 * @param bytes size of the file in bytes
 */
public record SampleFile(String name, long rows, long bytes) {}
