package dev.basin.delivery.transform;

import java.util.List;

/**
 * A record transformation with Firehose's Lambda contract: it receives a batch of records and
 * returns exactly one {@link TransformOutput} per input, with the same {@code recordId}, saying
 * whether the record is kept ({@link TransformOutput.Result#OK}, with its new data and optional
 * partition keys), dropped on purpose, or failed.
 *
 * <p>User transforms implement this interface, have a public no-argument constructor, and are
 * listed in {@code META-INF/services/dev.basin.delivery.transform.RecordTransform} of a jar that
 * the delivery's {@link ProcessorConfig.Custom} processor names; they are loaded with {@link
 * java.util.ServiceLoader}.
 *
 * <p>Contract violations are the transform's failure, never the delivery's: an output whose {@code
 * recordId} matches no input is ignored, an input without an output, a thrown exception, a null
 * list or an {@code OK} output without data makes the record {@code processing-failed} in the error
 * output, with the original bytes and the reason. A delivery calls one instance from one thread at
 * a time; it may call {@link #transform} again with the same records after a restart, so the result
 * should depend only on the input.
 */
public interface RecordTransform {

  /**
   * Transforms a batch of records.
   *
   * @param records the records, in delivery order; their data arrays must not be modified
   * @return one output per input record
   */
  List<TransformOutput> transform(List<TransformInput> records);
}
