package dev.basin.spi.stream;

import java.util.List;

/**
 * Records returned by {@link ShardLog#read}.
 *
 * @param records records in offset order; empty when the reader is at the end of the readable log
 * @param nextOffset the offset a following read should start from
 * @param endOffset the log's readable end when the read was served (offset of the next record to be
 *     acknowledged); {@code nextOffset == endOffset} means the reader is caught up
 * @param lastTimestamp arrival time of the newest readable record, or -1 if the log is empty
 */
public record ReadResult(
    List<StoredRecord> records, long nextOffset, long endOffset, long lastTimestamp) {

  /** True when nothing readable is left after this result. */
  public boolean caughtUp() {
    return nextOffset >= endOffset;
  }
}
