package dev.basin.server.aws;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.basin.common.error.BasinException;
import dev.basin.server.auth.Principal;
import java.io.IOException;
import java.util.Set;

/**
 * One AWS service spoken over the JSON 1.1 / CBOR 1.1 protocol on {@code POST /}, selected by the
 * prefix of the {@code X-Amz-Target} header (e.g. {@code Kinesis_20131202}).
 */
public interface AwsJsonService {

  /** The {@code X-Amz-Target} prefix before the dot. */
  String targetPrefix();

  /** The operations this service answers. */
  Set<String> operations();

  /**
   * Handles one operation. The caller has authenticated the request and opened the response object;
   * the handler writes the response members into {@code out}.
   *
   * @throws AwsErrorException for protocol-level errors already in AWS terms
   * @throws BasinException for service errors, translated with {@link #translate}
   */
  void handle(String operation, AwsInput input, Principal principal, JsonGenerator out)
      throws IOException;

  /** Maps a service error to this protocol's error name and status. */
  AwsErrorException translate(BasinException e);
}
