package dev.basin.etl.job;

/** Where a target node writes. */
public sealed interface TargetSpec permits IcebergTarget, PrefixTarget {}
