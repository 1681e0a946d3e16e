package dev.basin.etl.job;

/** Where a source node reads. */
public sealed interface SourceSpec permits CatalogSource, PrefixSource {}
