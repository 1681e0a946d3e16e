package dev.basin.stream.generate;

import dev.basin.common.error.BasinException;
import dev.basin.common.error.CommonErrorCode;
import java.util.Arrays;

/** A template's text with line:column lookup for error messages. Immutable. */
final class SourceText {
  private final String text;
  private final int[] lineStarts;

  SourceText(String text) {
    this.text = text;
    int[] starts = new int[16];
    int lines = 1;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        if (lines == starts.length) {
          starts = Arrays.copyOf(starts, lines * 2);
        }
        starts[lines++] = i + 1;
      }
    }
    this.lineStarts = Arrays.copyOf(starts, lines);
  }

  String text() {
    return text;
  }

  int length() {
    return text.length();
  }

  char charAt(int index) {
    return text.charAt(index);
  }

  /** The 1-based {@code line:column} of {@code index}. */
  String position(int index) {
    int line = Arrays.binarySearch(lineStarts, index);
    if (line < 0) {
      line = -line - 2;
    }
    return (line + 1) + ":" + (index - lineStarts[line] + 1);
  }

  /** An {@code INVALID_ARGUMENT} error whose message is {@code message}. */
  static BasinException invalid(String message) {
    return new BasinException(CommonErrorCode.INVALID_ARGUMENT, message);
  }
}
