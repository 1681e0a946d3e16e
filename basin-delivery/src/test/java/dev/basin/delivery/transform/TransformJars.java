package dev.basin.delivery.transform;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Builds a jar with user transforms, compiled from source in the test, off the class path. */
final class TransformJars {
  private TransformJars() {}

  /**
   * Compiles {@code sources} (simple class name → source of a class in package {@code
   * example.transforms}) and writes them with a services file listing {@code providers}.
   */
  static Path build(Path dir, java.util.Map<String, String> sources, List<String> providers)
      throws IOException {
    Path src = Files.createDirectories(dir.resolve("src/example/transforms"));
    Path classes = Files.createDirectories(dir.resolve("classes"));
    for (var e : sources.entrySet()) {
      Files.writeString(src.resolve(e.getKey() + ".java"), e.getValue());
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    String[] args;
    try (Stream<Path> files = Files.list(src)) {
      List<String> a =
          new java.util.ArrayList<>(
              List.of(
                  "-d",
                  classes.toString(),
                  "-classpath",
                  System.getProperty("java.class.path"),
                  "--release",
                  "17"));
      files.forEach(f -> a.add(f.toString()));
      args = a.toArray(String[]::new);
    }
    if (javac.run(null, null, null, args) != 0) {
      throw new IllegalStateException("the test transform did not compile");
    }
    Path jar = dir.resolve("transforms.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
        Stream<Path> all = Files.walk(classes)) {
      for (Path p : (Iterable<Path>) all.filter(Files::isRegularFile)::iterator) {
        out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
        out.write(Files.readAllBytes(p));
        out.closeEntry();
      }
      out.putNextEntry(new JarEntry("META-INF/services/" + RecordTransform.class.getName()));
      OutputStream o = out;
      o.write(String.join("\n", providers).getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    return jar;
  }

  /** A transform that upper-cases the "user" field and returns it as partition key "user". */
  static final String UPPER =
      """
      package example.transforms;

      import dev.basin.delivery.transform.*;
      import java.nio.charset.StandardCharsets;
      import java.util.*;

      public class Upper implements RecordTransform {
        @Override
        public List<TransformOutput> transform(List<TransformInput> records) {
          List<TransformOutput> out = new ArrayList<>();
          for (TransformInput in : records) {
            String s = new String(in.data(), StandardCharsets.UTF_8);
            if (s.contains("boom")) {
              throw new IllegalStateException("cannot handle " + s);
            }
            if (s.contains("fail")) {
              out.add(TransformOutput.failed(in.recordId(), "refused by Upper"));
              continue;
            }
            if (s.contains("skip")) {
              out.add(TransformOutput.dropped(in.recordId()));
              continue;
            }
            if (s.contains("wrongid")) {
              out.add(TransformOutput.ok(in.recordId() + "x", in.data()));
              continue;
            }
            if (s.contains("missing")) {
              continue;
            }
            if (s.contains("nodata")) {
              out.add(new TransformOutput(in.recordId(), TransformOutput.Result.OK, null, null, null));
              continue;
            }
            String user = s.replaceAll(".*\\"user\\":\\"([^\\"]*)\\".*", "$1").toUpperCase();
            String up = s.replaceAll("\\"user\\":\\"[^\\"]*\\"", "\\"user\\":\\"" + user + "\\"");
            out.add(TransformOutput.ok(in.recordId(), up.getBytes(StandardCharsets.UTF_8),
                Map.of("user", user)));
          }
          return out;
        }
      }
      """;

  /** A transform that returns null (garbage). */
  static final String NULLS =
      """
      package example.transforms;

      import dev.basin.delivery.transform.*;
      import java.util.*;

      public class Nulls implements RecordTransform {
        @Override
        public List<TransformOutput> transform(List<TransformInput> records) {
          return null;
        }
      }
      """;
}
