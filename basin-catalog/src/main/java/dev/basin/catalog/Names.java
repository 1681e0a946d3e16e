package dev.basin.catalog;

import dev.basin.common.error.BasinException;

/** Glue's naming rules for databases, tables, columns and partition keys. */
final class Names {
  static final int MAX_LENGTH = 255;

  private Names() {}

  /**
   * Checks a name: 1–255 characters of lower-case letters, digits and underscores.
   *
   * @param what what is named, for the message ("database", "table", "column")
   * @throws BasinException {@link CatalogErrorCode#INVALID_NAME}
   */
  static String check(String what, String name) {
    if (name == null || name.isEmpty()) {
      throw invalid(what, name, "a " + what + " name is required");
    }
    if (name.length() > MAX_LENGTH) {
      throw invalid(
          what, name, "it has " + name.length() + " characters, the limit is " + MAX_LENGTH);
    }
    for (int i = 0; i < name.length(); i++) {
      char ch = name.charAt(i);
      boolean ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
      if (!ok) {
        String hint =
            Character.isUpperCase(ch)
                ? "names are lower case; use '" + name.toLowerCase(java.util.Locale.ROOT) + "'"
                : "only lower-case letters, digits and underscores are allowed";
        throw invalid(what, name, "character '" + ch + "' at position " + (i + 1) + ": " + hint);
      }
    }
    return name;
  }

  /** A null or blank check only, for looking up names that other clients may have created. */
  static String require(String what, String name) {
    if (name == null || name.isBlank()) {
      throw invalid(what, name, "a " + what + " name is required");
    }
    return name;
  }

  private static BasinException invalid(String what, String name, String why) {
    String shown = name == null ? "null" : "'" + shorten(name) + "'";
    return new BasinException(
        CatalogErrorCode.INVALID_NAME, "invalid " + what + " name " + shown + ": " + why);
  }

  private static String shorten(String name) {
    return name.length() <= 80 ? name : name.substring(0, 77) + "...";
  }
}
