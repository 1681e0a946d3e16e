/** Firehose's S3 prefix expressions, parsed once and evaluated per delivered object. */
package dev.basin.delivery.prefix;
