package dev.basin.sql.service;

import dev.basin.common.error.BasinException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Opaque paging tokens. A result token holds the execution id and the byte offset of the next row
 * in the result file, so a page is read with one ranged GET whatever its position; a history token
 * holds the last item's sort key; a list token holds an offset.
 */
final class PageTokens {
  private PageTokens() {}

  /** Where the next result page of an execution starts. */
  record ResultPosition(String executionId, long offset) {}

  /** The last history item returned: the listing continues with older ones. */
  record HistoryPosition(long submittedMillis, String executionId) {}

  static String result(String executionId, long offset) {
    return encode("r1:" + executionId + ":" + offset);
  }

  static ResultPosition parseResult(String token, String executionId) {
    String[] parts = decode(token).split(":");
    if (parts.length != 3 || !parts[0].equals("r1")) {
      throw invalid(token);
    }
    if (!parts[1].equals(executionId)) {
      throw new BasinException(
          QueryErrorCode.INVALID_TOKEN,
          "the NextToken belongs to query execution "
              + parts[1]
              + ", not "
              + executionId
              + "; pass the token returned with this query's previous page");
    }
    return new ResultPosition(parts[1], number(parts[2], token));
  }

  static String history(long submittedMillis, String executionId) {
    return encode("h1:" + submittedMillis + ":" + executionId);
  }

  static HistoryPosition parseHistory(String token) {
    String[] parts = decode(token).split(":");
    if (parts.length != 3 || !parts[0].equals("h1")) {
      throw invalid(token);
    }
    return new HistoryPosition(number(parts[1], token), parts[2]);
  }

  static String offset(String kind, int offset) {
    return encode(kind + ":" + offset);
  }

  static int parseOffset(String kind, String token) {
    String[] parts = decode(token).split(":");
    if (parts.length != 2 || !parts[0].equals(kind)) {
      throw invalid(token);
    }
    long n = number(parts[1], token);
    if (n > Integer.MAX_VALUE) {
      throw invalid(token);
    }
    return (int) n;
  }

  private static long number(String s, String token) {
    try {
      long n = Long.parseLong(s);
      if (n < 0) {
        throw invalid(token);
      }
      return n;
    } catch (NumberFormatException e) {
      throw invalid(token);
    }
  }

  private static String encode(String s) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String decode(String token) {
    try {
      return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw invalid(token);
    }
  }

  private static BasinException invalid(String token) {
    String shown = token.length() > 40 ? token.substring(0, 37) + "..." : token;
    return new BasinException(
        QueryErrorCode.INVALID_TOKEN,
        "NextToken '" + shown + "' is not valid; pass the token from the previous page unchanged");
  }
}
