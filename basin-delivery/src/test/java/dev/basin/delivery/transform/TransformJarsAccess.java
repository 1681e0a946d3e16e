package dev.basin.delivery.transform;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Lets tests of other packages build the test transform jar. */
public final class TransformJarsAccess {
  private TransformJarsAccess() {}

  /** A jar providing {@code example.transforms.Upper}. */
  public static Path upperJar(Path dir) throws IOException {
    return TransformJars.build(
        dir, Map.of("Upper", TransformJars.UPPER), List.of("example.transforms.Upper"));
  }
}
