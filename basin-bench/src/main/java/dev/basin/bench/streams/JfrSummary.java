package dev.basin.bench.streams;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a JVM spent its CPU during a Flight Recorder recording: the share of execution samples
 * whose stack contains each method ("inclusive") or ends in it ("self"). Framework plumbing (Jetty,
 * Javalin, thread pools) is left out of the inclusive list because nearly every sample passes
 * through it.
 */
final class JfrSummary {
  private static final List<String> PLUMBING =
      List.of(
          "org.eclipse.jetty.",
          "io.javalin.",
          "jakarta.servlet.",
          "java.lang.Thread.",
          "java.util.concurrent.",
          "jdk.internal.net.http.common.",
          "scala.");

  private JfrSummary() {}

  /**
   * Summarizes {@code recording} in a few lines.
   *
   * @throws IOException if the file cannot be read
   */
  static String summarize(Path recording, int lines) throws IOException {
    Map<String, Integer> self = new HashMap<>();
    Map<String, Integer> inclusive = new HashMap<>();
    int samples = 0;
    for (RecordedEvent e : RecordingFile.readAllEvents(recording)) {
      if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
        continue;
      }
      List<RecordedFrame> frames = e.getStackTrace().getFrames();
      if (frames.isEmpty()) {
        continue;
      }
      samples++;
      self.merge(name(frames.get(0)), 1, Integer::sum);
      Set<String> seen = new HashSet<>();
      for (RecordedFrame f : frames) {
        String n = name(f);
        if (seen.add(n) && PLUMBING.stream().noneMatch(n::startsWith)) {
          inclusive.merge(n, 1, Integer::sum);
        }
      }
    }
    StringBuilder out = new StringBuilder();
    out.append(samples).append(" CPU samples (stack depth as recorded, default 64)\n");
    out.append("self:\n").append(top(self, samples, lines));
    out.append("inclusive:\n").append(top(inclusive, samples, lines));
    return out.toString();
  }

  private static String top(Map<String, Integer> counts, int samples, int lines) {
    List<Map.Entry<String, Integer>> entries = new ArrayList<>(counts.entrySet());
    entries.sort(Map.Entry.<String, Integer>comparingByValue().reversed());
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, Integer> e : entries.subList(0, Math.min(lines, entries.size()))) {
      out.append(
          String.format(Locale.ROOT, "  %5.1f%% %s%n", 100.0 * e.getValue() / samples, e.getKey()));
    }
    return out.toString();
  }

  private static String name(RecordedFrame frame) {
    RecordedMethod m = frame.getMethod();
    return m == null ? "?" : m.getType().getName() + "." + m.getName();
  }
}
