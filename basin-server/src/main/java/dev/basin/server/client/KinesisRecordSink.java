package dev.basin.server.client;

import dev.basin.stream.generate.BatchOutcome;
import dev.basin.stream.generate.GeneratedRecord;
import dev.basin.stream.generate.RecordSink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Sends generated records to a stream with Kinesis PutRecords calls, reporting per-record outcomes:
 * a record counts as acknowledged only if the server returned a sequence number for it.
 */
public final class KinesisRecordSink implements RecordSink {
  private final KinesisHttpClient client;
  private final String stream;

  public KinesisRecordSink(KinesisHttpClient client, String stream) {
    this.client = client;
    this.stream = stream;
  }

  @Override
  public CompletableFuture<BatchOutcome> send(List<GeneratedRecord> batch) {
    List<KinesisHttpClient.PutEntry> entries = new ArrayList<>(batch.size());
    for (GeneratedRecord r : batch) {
      entries.add(new KinesisHttpClient.PutEntry(r.partitionKey(), r.data()));
    }
    return client
        .putRecords(stream, entries)
        .thenApply(
            result -> {
              int ok = 0;
              List<String> reasons = new ArrayList<>();
              for (KinesisHttpClient.PutResultEntry e : result.entries()) {
                if (e.sequenceNumber() != null && e.errorCode() == null) {
                  ok++;
                } else if (reasons.size() < 5) {
                  reasons.add(e.errorCode() + ": " + e.errorMessage());
                }
              }
              return new BatchOutcome(ok, batch.size() - ok, reasons);
            });
  }
}
