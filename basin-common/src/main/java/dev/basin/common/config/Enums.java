package dev.basin.common.config;

import java.util.Locale;

final class Enums {
  private Enums() {}

  static String display(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
