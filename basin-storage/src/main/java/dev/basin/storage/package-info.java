/**
 * The local object store: {@link dev.basin.storage.LocalObjectStore} keeps buckets of objects with
 * S3's semantics on one machine.
 *
 * <p>Layout under the data directory:
 *
 * <pre>
 * lake/&lt;bucket&gt;/&lt;xy&gt;/&lt;32 hex id&gt;[.zst]   one immutable data file per object version
 * lake/.tmp/                               files being written; emptied on open
 * lake/.uploads/&lt;uploadId&gt;/               parts of multipart uploads in progress
 * lake/.lock                               held while a store instance is open
 * meta/objects.db                          SQLite: buckets, versions, uploads, lifecycle
 * </pre>
 *
 * <p>Keys live only in the database, so every valid S3 key works, including ones no file system
 * path can hold. The metadata commit is the moment a change becomes visible and durable.
 */
package dev.basin.storage;
