/**
 * The SQL engine plug-in point: sessions, prepared statements, streamed results and the errors a
 * statement can end in. Protocol adapters (pgwire, Athena, the native API) talk only to these
 * types.
 */
package dev.basin.spi.sql;
