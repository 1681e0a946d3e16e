package dev.basin.spi.storage;

/**
 * Options of a put.
 *
 * @param metadata what to attach to the object
 * @param contentMd5 the base64 MD5 the body must have ({@code Content-MD5}), or null
 * @param ifNoneMatchAny when true, fail with {@code ALREADY_EXISTS} if the key has a current object
 * @param storageClass the storage class to store in ({@code STANDARD} when null); a cold class
 *     stores the object compressed
 */
public record PutOptions(
    ObjectMetadata metadata, String contentMd5, boolean ifNoneMatchAny, String storageClass) {

  public PutOptions {
    metadata = metadata == null ? ObjectMetadata.empty() : metadata;
  }

  public static PutOptions defaults() {
    return new PutOptions(ObjectMetadata.empty(), null, false, null);
  }

  public static PutOptions of(ObjectMetadata metadata) {
    return new PutOptions(metadata, null, false, null);
  }
}
