package dev.basin.etl.run;

import java.time.Instant;

/**
 * One line of a run's log.
 *
 * @param seq the line number within the run, from 1
 * @param time when it was written
 * @param level INFO, WARN or ERROR
 * @param message the text
 */
public record RunLogEntry(long seq, Instant time, String level, String message) {}
