package dev.basin.server.cli;

import dev.basin.server.client.KinesisHttpClient;
import dev.basin.server.client.KinesisRecordSink;
import dev.basin.stream.generate.Generator;
import dev.basin.stream.generate.GeneratorReport;
import dev.basin.stream.generate.PartitionKeyStrategy;
import dev.basin.stream.generate.RatePlan;
import dev.basin.stream.generate.RenderContext;
import dev.basin.stream.generate.Template;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code basin generate}: the Kinesis Data Generator, as a command. */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = {
      "Send records rendered from a Kinesis Data Generator template to a stream.",
      "Example: basin generate --stream orders --template order.tpl --rate 500 --duration 60s",
      "Template helpers: basin generate --list-helpers"
    })
final class GenerateCommand implements Callable<Integer> {
  @Mixin ClientOptions client = new ClientOptions();
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--stream", paramLabel = "NAME", description = "Target stream")
  String stream;

  @Option(names = "--template", paramLabel = "FILE", description = "Template file ({{…}} helpers)")
  Path templateFile;

  @Option(names = "--template-text", paramLabel = "TEXT", description = "Template given inline")
  String templateText;

  @Option(
      names = "--rate",
      paramLabel = "N|A..B|max",
      description =
          "Records per second: constant N, a ramp A..B over --duration, or max (default 100)")
  String rate = "100";

  @Option(names = "--duration", paramLabel = "D", description = "Stop after D (e.g. 30s, 5m)")
  String duration;

  @Option(names = "--count", paramLabel = "N", description = "Stop after N records")
  Long count;

  @Option(names = "--seed", paramLabel = "X", description = "Seed for repeatable output")
  Long seed;

  @Option(
      names = "--partition-key-field",
      paramLabel = "FIELD",
      description =
          "Use this JSON field of each record as its partition key (default: random UUID)")
  String keyField;

  @Option(
      names = "--partition-key",
      paramLabel = "TEMPLATE",
      description = "Render the partition key from this template, e.g. '{{random.number(9)}}'")
  String keyTemplate;

  @Option(names = "--batch-size", paramLabel = "N", description = "Records per PutRecords (≤ 500)")
  int batchSize = 500;

  @Option(names = "--in-flight", paramLabel = "N", description = "Concurrent PutRecords calls")
  int inFlight = 4;

  @Option(names = "--cbor", description = "Use CBOR instead of JSON on the wire")
  boolean cbor;

  @Option(names = "--create-shards", paramLabel = "N", description = "Create the stream if missing")
  Integer createShards;

  @Option(names = "--list-helpers", description = "List the template helpers and exit")
  boolean listHelpers;

  @Option(names = "--quiet", description = "No progress lines")
  boolean quiet;

  GenerateCommand(Map<String, String> env) {
    client.env = env;
  }

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (listHelpers) {
      out.print(Template.supportedListing());
      out.flush();
      return 0;
    }
    if (stream == null) {
      throw new IllegalArgumentException("--stream is required");
    }
    if ((templateFile == null) == (templateText == null)) {
      throw new IllegalArgumentException(
          "give exactly one of --template FILE or --template-text TEXT");
    }
    Template template =
        Template.parse(templateText != null ? templateText : Files.readString(templateFile));
    Duration d = duration == null ? null : dev.basin.common.config.Durations.parse(duration);
    RatePlan plan = RatePlan.parse(rate, d);
    if (count != null) {
      plan = plan.withMaxRecords(count);
    }
    KinesisHttpClient kinesis =
        new KinesisHttpClient(client.endpoint(), client.credentials(), cbor);
    if (createShards != null && !kinesis.listStreamNames().contains(stream)) {
      kinesis.createStream(stream, createShards);
      err.println("created stream " + stream + " with " + createShards + " shard(s)");
    }
    Generator.Builder builder =
        Generator.builder(template, new KinesisRecordSink(kinesis, stream))
            .ratePlan(plan)
            .maxBatchRecords(batchSize)
            .maxInFlightBatches(inFlight)
            .renderContext(
                seed == null
                    ? RenderContext.unseeded()
                    : RenderContext.seeded(seed, Clock.systemUTC()));
    if (seed != null) {
      builder.seed(seed);
    }
    if (keyField != null) {
      builder.partitionKeys(PartitionKeyStrategy.jsonField(keyField));
    } else if (keyTemplate != null) {
      builder.partitionKeys(PartitionKeyStrategy.template(Template.parse(keyTemplate)));
    }
    if (!quiet) {
      builder.onProgress(
          Duration.ofSeconds(1),
          p ->
              err.printf(
                  "%6.1fs  sent=%d acknowledged=%d failed=%d  rate=%.0f/s (target %.0f/s)%n",
                  p.elapsed().toMillis() / 1000.0,
                  p.sent(),
                  p.acknowledged(),
                  p.failed(),
                  p.currentRate(),
                  p.targetRate()));
    }
    Generator generator = builder.build();
    Thread hook = new Thread(generator::stop, "basin-generate-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    GeneratorReport report = generator.run();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the JVM is already exiting because of Ctrl-C; the report is printed below regardless
    }
    out.println(report.summary());
    for (String reason : report.failureReasons()) {
      out.println("  failure: " + reason);
    }
    out.flush();
    return report.failed() == 0 ? 0 : 2;
  }
}
