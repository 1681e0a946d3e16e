package dev.basin.stream.log;

import dev.basin.spi.stream.StoredRecord;
import java.util.ArrayList;
import java.util.List;

/** Collects the records of one read up to its record and byte limits. Not thread-safe. */
final class ReadBudget {
  private final int maxRecords;
  private final long maxBytes;
  private final List<StoredRecord> records;
  private long bytes;
  private boolean full;

  ReadBudget(int maxRecords, long maxBytes, long available) {
    this.maxRecords = maxRecords;
    this.maxBytes = maxBytes;
    this.records = new ArrayList<>((int) Math.min(Math.min(maxRecords, available), 1024));
  }

  /** Whether a record of {@code size} may be added: the first always fits. */
  boolean fits(long size) {
    return records.isEmpty() || bytes + size <= maxBytes;
  }

  void add(StoredRecord record) {
    records.add(record);
    bytes += record.size();
    if (records.size() >= maxRecords) {
      full = true;
    }
  }

  void markFull() {
    full = true;
  }

  boolean full() {
    return full;
  }

  boolean isEmpty() {
    return records.isEmpty();
  }

  List<StoredRecord> records() {
    return records;
  }

  /** The offset after the last collected record, or {@code from} if none was collected. */
  long nextOffset(long from) {
    return records.isEmpty() ? from : records.get(records.size() - 1).offset() + 1;
  }
}
