package dev.basin.stream;

/** A record as GetRecords returns it. */
public record StreamRecord(
    String sequenceNumber, long arrivalMillis, String partitionKey, byte[] data) {}
