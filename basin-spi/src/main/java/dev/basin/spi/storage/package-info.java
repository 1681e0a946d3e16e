/**
 * The object store SPI: buckets of immutable, optionally versioned objects with S3's semantics.
 *
 * <p>{@link dev.basin.spi.storage.ObjectStore} is what every backend implements; versioning,
 * lifecycle rules, change events and direct local-file access are optional abilities, each its own
 * {@code SupportsXxx} interface. Every failure a caller can act on is an {@link
 * dev.basin.spi.storage.ObjectStoreException} with a {@link
 * dev.basin.spi.storage.ObjectStoreException.Reason}; protocol adapters map reasons to their own
 * error codes (S3's {@code NoSuchKey}, Iceberg's {@code NotFoundException} …).
 */
package dev.basin.spi.storage;
