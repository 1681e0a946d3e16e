package dev.basin.stream.generate;

import java.time.Duration;

/**
 * A snapshot of a running generator, as the progress callback receives it about once a second.
 * Counts are cumulative since the start; see {@link GeneratorReport} for their meaning.
 *
 * @param targetRate the rate plan's rate now, in records per second (infinite for {@code max})
 * @param currentRate records sent per second since the previous snapshot
 * @param averageRate records sent per second since the start
 */
public record GeneratorProgress(
    Duration elapsed,
    long rendered,
    long sent,
    long acknowledged,
    long failed,
    long rejected,
    int inFlightBatches,
    double targetRate,
    double currentRate,
    double averageRate) {}
