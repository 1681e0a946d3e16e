package dev.basin.bench.streams;

/**
 * What one producer process measured; printed as one JSON line after {@link
 * LoadWindow#RESULT_PREFIX}. Latencies are in milliseconds, throughput over the measurement window.
 */
record DriverResult(
    String system,
    int recordSize,
    int shards,
    int rate,
    double seconds,
    long recordsInWindow,
    double recordsPerSecond,
    double mibPerSecond,
    double ackP50Ms,
    double ackP99Ms,
    double ackMaxMs,
    double e2eP50Ms,
    double e2eP99Ms,
    double e2eMaxMs,
    long e2eSamples,
    long ackedTotal,
    long failedRecords,
    long requestErrors,
    long receivedTotal,
    String note) {}
