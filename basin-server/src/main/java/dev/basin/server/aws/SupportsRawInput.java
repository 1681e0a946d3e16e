package dev.basin.server.aws;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.basin.server.auth.Principal;
import java.io.IOException;
import java.util.Set;

/**
 * An {@link AwsJsonService} that decodes some operations' request bodies itself, streaming, instead
 * of through a generic tree: worth it only on hot paths such as Kinesis PutRecords, where a request
 * carries hundreds of records.
 */
public interface SupportsRawInput {

  /** Operations handled by {@link #handleRaw}. */
  Set<String> rawInputOperations();

  /**
   * Handles one operation from its raw body. Same contract as {@link AwsJsonService#handle}; a body
   * that does not decode must be answered with {@code SerializationException}.
   */
  void handleRaw(
      String operation, byte[] body, WireFormat format, Principal principal, JsonGenerator out)
      throws IOException;
}
