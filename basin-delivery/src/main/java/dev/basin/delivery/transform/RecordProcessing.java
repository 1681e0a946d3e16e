package dev.basin.delivery.transform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * A delivery's record processing: the configured {@link ProcessorConfig} steps, applied in order to
 * a batch of records, with Firehose's Lambda contract enforced on every transform (see {@link
 * RecordTransform}). Not thread-safe; one delivery worker owns it and closes it, which releases the
 * class loaders of user transforms.
 */
public final class RecordProcessing implements AutoCloseable {
  private final List<Object> steps; // Deaggregation or Step
  private final List<URLClassLoader> loaders;

  private record Step(String name, RecordTransform transform) {}

  private RecordProcessing(List<Object> steps, List<URLClassLoader> loaders) {
    this.steps = steps;
    this.loaders = loaders;
  }

  /** No processing: every record passes unchanged. */
  public static RecordProcessing none() {
    return new RecordProcessing(List.of(), List.of());
  }

  /**
   * Builds the steps, loading user transforms from their jars.
   *
   * @throws IllegalArgumentException naming the processor when a jar cannot be read or does not
   *     provide the transform
   */
  public static RecordProcessing create(List<ProcessorConfig> processors) {
    List<Object> steps = new ArrayList<>();
    List<URLClassLoader> loaders = new ArrayList<>();
    try {
      for (ProcessorConfig p : processors) {
        steps.add(step(p, loaders));
      }
    } catch (RuntimeException e) {
      new RecordProcessing(steps, loaders).close();
      throw e;
    }
    return new RecordProcessing(List.copyOf(steps), List.copyOf(loaders));
  }

  private static Object step(ProcessorConfig p, List<URLClassLoader> loaders) {
    if (p instanceof ProcessorConfig.Decompress) {
      return new Step("Decompress", new Gunzip());
    } else if (p instanceof ProcessorConfig.Deaggregate d) {
      return new Deaggregation(d);
    } else if (p instanceof ProcessorConfig.AddArrivalTimestamp a) {
      return new Step("AddArrivalTimestamp", JsonTransform.addArrivalTimestamp(a.field()));
    } else if (p instanceof ProcessorConfig.DropFields d) {
      return new Step("DropFields", JsonTransform.dropFields(d.fields()));
    } else if (p instanceof ProcessorConfig.RenameFields r) {
      return new Step("RenameFields", JsonTransform.renameFields(r.renames()));
    } else if (p instanceof ProcessorConfig.Filter f) {
      return new Step("Filter", JsonTransform.filter(FilterPredicate.parse(f.predicate())));
    } else {
      return load((ProcessorConfig.Custom) p, loaders);
    }
  }

  private static Step load(ProcessorConfig.Custom c, List<URLClassLoader> loaders) {
    Path jar = Path.of(c.jarPath());
    if (!Files.isReadable(jar)) {
      throw new IllegalArgumentException(
          "Custom.JarPath '" + c.jarPath() + "' is not a readable jar file or directory");
    }
    URLClassLoader loader;
    try {
      loader =
          new URLClassLoader(
              "transform:" + jar.getFileName(),
              new URL[] {jar.toUri().toURL()},
              RecordTransform.class.getClassLoader());
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("Custom.JarPath '" + c.jarPath() + "': " + e.getMessage());
    }
    loaders.add(loader);
    try {
      List<ServiceLoader.Provider<RecordTransform>> found =
          ServiceLoader.load(RecordTransform.class, loader).stream()
              // only the jar's own providers, not those the server's class path happens to have
              .filter(p -> p.type().getClassLoader() == loader)
              .filter(p -> c.className() == null || p.type().getName().equals(c.className()))
              .toList();
      if (found.size() != 1) {
        List<String> all =
            ServiceLoader.load(RecordTransform.class, loader).stream()
                .filter(p -> p.type().getClassLoader() == loader)
                .map(p -> p.type().getName())
                .toList();
        throw new IllegalArgumentException(
            (c.className() == null
                    ? "Custom.JarPath '" + c.jarPath() + "' must provide exactly one "
                    : "Custom.ClassName '" + c.className() + "' is not a ")
                + RecordTransform.class.getName()
                + " (listed in META-INF/services); the jar provides "
                + all
                + (c.className() == null && all.size() > 1 ? "; set Custom.ClassName" : ""));
      }
      RecordTransform t = found.get(0).get();
      return new Step(t.getClass().getName(), t);
    } catch (ServiceConfigurationError e) {
      throw new IllegalArgumentException(
          "Custom.JarPath '" + c.jarPath() + "': cannot load the transform: " + e.getMessage(), e);
    }
  }

  /** Whether there are no steps. */
  public boolean isEmpty() {
    return steps.isEmpty();
  }

  /**
   * The outcome for one processed record.
   *
   * @param input index of the input record it came from
   * @param recordId the input's recordId, with {@code -<n>} for the n-th de-aggregated sub-record
   * @param result ok, dropped or failed
   * @param data the new data, for {@code OK}
   * @param partitionKeys the transforms' {@code metadata.partitionKeys}, later ones winning
   * @param errorMessage why it failed, for {@code PROCESSING_FAILED}
   */
  public record Processed(
      int input,
      String recordId,
      TransformOutput.Result result,
      byte[] data,
      Map<String, String> partitionKeys,
      String errorMessage) {}

  private static final class Item {
    final int input;
    final String recordId;
    final long arrival;
    byte[] data;
    final Map<String, String> keys;
    TransformOutput.Result result; // null while the record is still being processed
    String error;

    Item(int input, String recordId, long arrival, byte[] data, Map<String, String> keys) {
      this.input = input;
      this.recordId = recordId;
      this.arrival = arrival;
      this.data = data;
      this.keys = new LinkedHashMap<>(keys);
    }

    void fail(String message) {
      result = TransformOutput.Result.PROCESSING_FAILED;
      error = message;
    }
  }

  /**
   * Runs every step over the records. Never throws for a record's sake: failures are outcomes.
   *
   * @return the outcomes in input order (a de-aggregated record's sub-records in their order)
   */
  public List<Processed> process(List<TransformInput> inputs) {
    List<Item> items = new ArrayList<>(inputs.size());
    for (int i = 0; i < inputs.size(); i++) {
      TransformInput in = inputs.get(i);
      items.add(new Item(i, in.recordId(), in.approximateArrivalTimestamp(), in.data(), Map.of()));
    }
    for (Object step : steps) {
      if (step instanceof Deaggregation d) {
        items = deaggregate(d, items);
      } else {
        transform((Step) step, items);
      }
    }
    List<Processed> out = new ArrayList<>(items.size());
    for (Item it : items) {
      TransformOutput.Result r = it.result == null ? TransformOutput.Result.OK : it.result;
      out.add(
          new Processed(
              it.input,
              it.recordId,
              r,
              r == TransformOutput.Result.OK ? it.data : null,
              Map.copyOf(it.keys),
              it.error));
    }
    return out;
  }

  private static List<Item> deaggregate(Deaggregation d, List<Item> items) {
    List<Item> out = new ArrayList<>(items.size());
    for (Item it : items) {
      if (it.result != null) {
        out.add(it);
        continue;
      }
      List<byte[]> parts;
      try {
        parts = d.split(it.data);
      } catch (IllegalArgumentException e) {
        it.fail("de-aggregation: " + e.getMessage());
        out.add(it);
        continue;
      }
      if (parts.isEmpty()) {
        it.fail("de-aggregation: the record has no sub-records");
        out.add(it);
        continue;
      }
      for (int i = 0; i < parts.size(); i++) {
        out.add(new Item(it.input, it.recordId + "-" + i, it.arrival, parts.get(i), it.keys));
      }
    }
    return out;
  }

  private static void transform(Step step, List<Item> items) {
    List<Item> live = new ArrayList<>();
    for (Item it : items) {
      if (it.result == null) {
        live.add(it);
      }
    }
    if (live.isEmpty()) {
      return;
    }
    Map<String, TransformOutput> outputs = new HashMap<>();
    String batchError = invoke(step, live, outputs);
    if (batchError != null && live.size() > 1) {
      // isolate the record at fault: one call per record
      outputs.clear();
      for (Item it : live) {
        String error = invoke(step, List.of(it), outputs);
        if (error != null) {
          it.fail(error);
        }
      }
    } else if (batchError != null) {
      live.get(0).fail(batchError);
    }
    for (Item it : live) {
      if (it.result != null) {
        continue;
      }
      TransformOutput o = outputs.get(it.recordId);
      if (o == null) {
        it.fail(step.name() + " returned no output with recordId '" + it.recordId + "'");
      } else if (o.result() == null) {
        it.fail(step.name() + " returned an output without a result");
      } else {
        switch (o.result()) {
          case OK -> {
            if (o.data() == null) {
              it.fail(step.name() + " returned Ok without data");
            } else {
              it.data = o.data();
              it.keys.putAll(o.partitionKeys());
            }
          }
          case DROPPED -> it.result = TransformOutput.Result.DROPPED;
          case PROCESSING_FAILED ->
              it.fail(
                  o.errorMessage() == null
                      ? step.name() + " returned ProcessingFailed"
                      : o.errorMessage());
        }
      }
    }
  }

  /** Calls the transform; returns an error message if the whole call failed. */
  private static String invoke(Step step, List<Item> items, Map<String, TransformOutput> outputs) {
    List<TransformInput> inputs = new ArrayList<>(items.size());
    for (Item it : items) {
      inputs.add(new TransformInput(it.recordId, it.arrival, it.data.clone()));
    }
    List<TransformOutput> result;
    try {
      result = step.transform().transform(List.copyOf(inputs));
    } catch (RuntimeException | LinkageError | StackOverflowError e) {
      return step.name() + " threw " + e;
    }
    if (result == null) {
      return step.name() + " returned null instead of a list of outputs";
    }
    for (TransformOutput o : result) {
      if (o != null && o.recordId() != null) {
        outputs.putIfAbsent(o.recordId(), o);
      }
    }
    return null;
  }

  @Override
  public void close() {
    for (URLClassLoader l : loaders) {
      try {
        l.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
