/** Dynamic partitioning: partition keys extracted from records with a jq-like query. */
package dev.basin.delivery.partition;
