package dev.basin.server.aws;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import java.io.IOException;
import java.math.BigDecimal;

/**
 * The two encodings of the AWS JSON protocols: JSON 1.1 and CBOR 1.1 (the AWS SDKs' default for
 * Kinesis). They differ in how blobs and timestamps travel: JSON carries blobs as base64 strings
 * and timestamps as fractional epoch seconds; CBOR carries blobs as byte strings and timestamps as
 * tag 1 over integer epoch <em>milliseconds</em> (an AWS quirk: RFC 8949 says seconds).
 */
public enum WireFormat {
  JSON("application/x-amz-json-1.1", new ObjectMapper(new JsonFactory())),
  CBOR("application/x-amz-cbor-1.1", new ObjectMapper(new CBORFactory()));

  private final String contentType;
  private final ObjectMapper mapper;

  WireFormat(String contentType, ObjectMapper mapper) {
    this.contentType = contentType;
    this.mapper = mapper;
  }

  /** The format of a request, chosen by its Content-Type (JSON unless it names CBOR). */
  public static WireFormat of(String contentType) {
    return contentType != null && contentType.toLowerCase().contains("cbor") ? CBOR : JSON;
  }

  public String contentType() {
    return contentType;
  }

  public ObjectMapper mapper() {
    return mapper;
  }

  /** Writes a timestamp field in this format's representation. */
  public void writeTimestamp(JsonGenerator gen, String field, long epochMillis) throws IOException {
    gen.writeFieldName(field);
    if (this == CBOR) {
      ((CBORGenerator) gen).writeTag(1);
      gen.writeNumber(epochMillis);
    } else {
      gen.writeNumber(BigDecimal.valueOf(epochMillis, 3));
    }
  }

  /**
   * Reads a timestamp value as epoch millis: JSON numbers are seconds, CBOR numbers milliseconds.
   */
  long timestampMillis(double number) {
    return this == CBOR ? (long) number : Math.round(number * 1000);
  }
}
