package dev.basin.delivery;

/** A record that cannot be delivered, with the reason, bound for the error output. */
record FailedRecord(SourceRecord source, FailureKind kind, String errorCode, String message) {}
