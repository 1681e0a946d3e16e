package dev.basin.sql.mv;

import java.time.Duration;
import java.time.Instant;

/**
 * What one refresh (or the initial fill at CREATE) did.
 *
 * @param view {@code database.view}
 * @param mode how the view was brought up to date
 * @param rows rows in the view afterwards
 * @param inputFiles input data files the refresh read (for an incremental refresh: only the files
 *     the input's new snapshots added)
 * @param inputBytes bytes of those files
 * @param startedAt when the refresh started
 * @param duration how long it took up to its commit
 * @param detail why a full recompute ran instead of an incremental one, or null
 */
public record RefreshResult(
    String view,
    RefreshMode mode,
    long rows,
    long inputFiles,
    long inputBytes,
    Instant startedAt,
    Duration duration,
    String detail) {}
