package dev.basin.bench.streams;

/**
 * What one producer process sends: identical for Basin and Kafka so that their numbers compare.
 *
 * @param recordSize bytes of payload per record (at least {@link Payload#HEADER_BYTES})
 * @param shards Kinesis shards, or Kafka partitions
 * @param warmupSeconds seconds of sending before the measurement window opens
 * @param durationSeconds length of the measurement window
 * @param batchRecords records per PutRecords request; Kafka's {@code batch.size} is sized to hold
 *     as many
 * @param inFlightRecords most records sent but not yet acknowledged at any time
 * @param rate records per second to offer, or 0 to send as fast as acknowledgements allow
 */
record Workload(
    int recordSize,
    int shards,
    double warmupSeconds,
    double durationSeconds,
    int batchRecords,
    int inFlightRecords,
    int rate) {

  Workload {
    if (recordSize < Payload.HEADER_BYTES) {
      throw new IllegalArgumentException(
          "--record-size must be at least " + Payload.HEADER_BYTES + ", got " + recordSize);
    }
    if (shards < 1) {
      throw new IllegalArgumentException("--shards must be at least 1, got " + shards);
    }
    if (durationSeconds <= 0 || warmupSeconds < 0) {
      throw new IllegalArgumentException(
          "--duration-s must be > 0 and --warmup-s >= 0, got "
              + durationSeconds
              + " and "
              + warmupSeconds);
    }
    if (batchRecords < 1 || batchRecords > 500) {
      throw new IllegalArgumentException(
          "--batch-records must be in 1..500 (the PutRecords limit), got " + batchRecords);
    }
    if (inFlightRecords < batchRecords) {
      throw new IllegalArgumentException(
          "--in-flight-records must be at least --batch-records ("
              + batchRecords
              + "), got "
              + inFlightRecords);
    }
    if (rate < 0) {
      throw new IllegalArgumentException("--rate must be >= 0, got " + rate);
    }
  }

  static Workload from(Args args) {
    return new Workload(
        args.integer("record-size", 1024),
        args.integer("shards", 1),
        args.decimal("warmup-s", 5),
        args.decimal("duration-s", 10),
        args.integer("batch-records", 500),
        args.integer("in-flight-records", 4000),
        args.integer("rate", 0));
  }
}
