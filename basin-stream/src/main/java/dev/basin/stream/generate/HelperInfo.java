package dev.basin.stream.generate;

import java.util.Objects;

/**
 * One template helper as {@code --list-helpers} shows it.
 *
 * @param name the name used in a placeholder, e.g. {@code random.number}
 * @param usage how to call it, e.g. {@code random.number(max | {min, max, precision})}
 * @param description one line saying what it renders
 */
public record HelperInfo(String name, String usage, String description) {
  public HelperInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(usage, "usage");
    Objects.requireNonNull(description, "description");
  }

  @Override
  public String toString() {
    return usage + " - " + description;
  }
}
