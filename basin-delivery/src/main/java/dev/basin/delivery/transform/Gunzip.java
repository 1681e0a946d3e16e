package dev.basin.delivery.transform;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Decompresses gzip records. */
final class Gunzip implements RecordTransform {
  /** Larger than a stream record can be once inflated by any sane ratio; guards zip bombs. */
  static final int MAX_INFLATED_BYTES = 64 << 20;

  @Override
  public List<TransformOutput> transform(List<TransformInput> records) {
    List<TransformOutput> out = new ArrayList<>(records.size());
    for (TransformInput in : records) {
      try (InputStream z = new GZIPInputStream(new ByteArrayInputStream(in.data()))) {
        byte[] data = z.readNBytes(MAX_INFLATED_BYTES + 1);
        if (data.length > MAX_INFLATED_BYTES) {
          out.add(
              TransformOutput.failed(
                  in.recordId(), "inflates to more than " + MAX_INFLATED_BYTES + " bytes"));
        } else {
          out.add(TransformOutput.ok(in.recordId(), data));
        }
      } catch (IOException e) {
        out.add(TransformOutput.failed(in.recordId(), "not gzip: " + e.getMessage()));
      }
    }
    return out;
  }
}
