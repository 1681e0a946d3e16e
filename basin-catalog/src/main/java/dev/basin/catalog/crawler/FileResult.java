package dev.basin.catalog.crawler;

import java.util.List;

/** A classification with the per-column votes behind it, so files of a table merge exactly. */
record FileResult(Classification classification, List<String> names, List<TypeAccumulator> votes) {}
