package dev.basin.catalog.crawler;

import java.nio.charset.StandardCharsets;

/**
 * Decoded text of a sample. Invalid UTF-8 is replaced by U+FFFD and counted, never fatal; a sample
 * with NUL bytes in its first 8 KiB, or with more than 8 invalid sequences making up over 10% of
 * its characters, is treated as binary.
 */
record TextSample(String text, int invalidSequences, boolean binary) {

  static TextSample decode(byte[] bytes) {
    int start = 0;
    if (bytes.length >= 3
        && (bytes[0] & 0xff) == 0xef
        && (bytes[1] & 0xff) == 0xbb
        && (bytes[2] & 0xff) == 0xbf) {
      start = 3;
    }
    int probe = Math.min(bytes.length, 8192);
    for (int i = start; i < probe; i++) {
      if (bytes[i] == 0) {
        return new TextSample("", 0, true);
      }
    }
    String text = new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8);
    int replaced = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\uFFFD') {
        replaced++;
      }
    }
    int genuine = 0; // U+FFFD written on purpose is EF BF BD
    for (int i = start; i + 2 < bytes.length; i++) {
      if ((bytes[i] & 0xff) == 0xef
          && (bytes[i + 1] & 0xff) == 0xbf
          && (bytes[i + 2] & 0xff) == 0xbd) {
        genuine++;
      }
    }
    int invalid = Math.max(0, replaced - genuine);
    boolean binary = invalid > 8 && invalid > 0.1 * text.length();
    return new TextSample(text, invalid, binary);
  }
}
