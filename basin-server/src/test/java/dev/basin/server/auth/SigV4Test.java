package dev.basin.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The canonicalization steps, checked against the intermediate values AWS documents. */
class SigV4Test {

  @Test
  void theIamListUsersExampleHasTheDocumentedIntermediateValues() {
    String canonicalRequest =
        SigV4.canonicalRequest(
            "GET",
            SigV4.canonicalUri("/", false),
            SigV4.canonicalQuery("Version=2010-05-08&Action=ListUsers", false),
            SigV4.canonicalHeaders(
                List.of("content-type", "host", "x-amz-date"),
                SigV4.caseInsensitive(
                    Map.of(
                        "Content-Type",
                        List.of("application/x-www-form-urlencoded; charset=utf-8"),
                        "Host",
                        List.of("iam.amazonaws.com"),
                        "X-Amz-Date",
                        List.of("20150830T123600Z")))),
            "content-type;host;x-amz-date",
            SigV4.sha256Hex(new byte[0]));

    assertThat(canonicalRequest)
        .isEqualTo(
            "GET\n/\nAction=ListUsers&Version=2010-05-08\n"
                + "content-type:application/x-www-form-urlencoded; charset=utf-8\n"
                + "host:iam.amazonaws.com\n"
                + "x-amz-date:20150830T123600Z\n\n"
                + "content-type;host;x-amz-date\n"
                + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assertThat(SigV4.hex(SigV4.sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8))))
        .isEqualTo("f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
    String stringToSign =
        SigV4.stringToSign(
            "20150830T123600Z", SigV4.scope("20150830", "us-east-1", "iam"), canonicalRequest);
    assertThat(stringToSign)
        .isEqualTo(
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n"
                + "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
    byte[] key =
        SigV4.signingKey(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam");
    assertThat(SigV4.hex(key))
        .isEqualTo("c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
    assertThat(SigV4.signature(key, stringToSign))
        .isEqualTo("5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
  }

  @Test
  void uriEncodingKeepsOnlyUnreservedCharacters() {
    assertThat(SigV4.uriEncode("AZaz09-_.~", false)).isEqualTo("AZaz09-_.~");
    assertThat(SigV4.uriEncode("a b+c*d/é€", false)).isEqualTo("a%20b%2Bc%2Ad%2F%C3%A9%E2%82%AC");
    assertThat(SigV4.uriEncode("a b/c", true)).isEqualTo("a%20b/c");
  }

  @Test
  void percentDecodingLeavesPlusSignsAndBrokenEscapesAlone() {
    assertThat(SigV4.percentDecode("a%20b+c%2F%C3%A9")).isEqualTo("a b+c/é");
    assertThat(SigV4.percentDecode("100%")).isEqualTo("100%");
    assertThat(SigV4.percentDecode("%zz")).isEqualTo("%zz");
    assertThat(SigV4.percentDecode("%C3")).isEqualTo("%C3");
  }

  @Test
  void theCanonicalQuerySortsByEncodedNameThenValue() {
    assertThat(SigV4.canonicalQuery("Param1=value2&Param1=Value1&a=&b", false))
        .isEqualTo("Param1=Value1&Param1=value2&a=&b=");
    assertThat(SigV4.canonicalQuery("prefix=a b&%7E=~&c=%2f", false))
        .isEqualTo("c=%2F&prefix=a%20b&~=~");
    assertThat(SigV4.canonicalQuery("X-Amz-Signature=abc&X-Amz-Date=1", true))
        .isEqualTo("X-Amz-Date=1");
    assertThat(SigV4.canonicalQuery(null, false)).isEmpty();
  }

  @Test
  void theCanonicalUriRemovesDotSegmentsExceptForS3() {
    assertThat(SigV4.canonicalUri("/a/./b/../c/", false)).isEqualTo("/a/c/");
    assertThat(SigV4.canonicalUri("/a/./b/../c/", true)).isEqualTo("/a/./b/../c/");
    assertThat(SigV4.canonicalUri("", false)).isEqualTo("/");
    assertThat(SigV4.canonicalUri("/..", false)).isEqualTo("/");
    assertThat(SigV4.canonicalUri("//double//", true)).isEqualTo("//double//");
  }

  @Test
  void headerValuesAreTrimmedWithRunsOfSpacesCollapsed() {
    assertThat(SigV4.normalizeHeaderValue("  a   b \t c  ")).isEqualTo("a b c");
    assertThat(
            SigV4.canonicalHeaders(
                List.of("my-header", "missing"),
                SigV4.caseInsensitive(Map.of("My-Header", List.of(" one ", "two  three")))))
        .isEqualTo("my-header:one,two three\nmissing:\n");
  }
}
