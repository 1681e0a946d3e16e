package dev.basin.server.cli;

import dev.basin.etl.sample.SampleDatasets;
import dev.basin.etl.sample.SampleFile;
import dev.basin.server.s3.S3RestClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code basin sample-data}: writes one of the deterministic sample datasets to the lake (through
 * the S3 API, like {@code basin s3 cp}) or to a local folder.
 */
@Command(
    name = "sample-data",
    mixinStandardHelpOptions = true,
    description = {
      "Generate a sample dataset as CSV files (header row, UTF-8), the same bytes for the same"
          + " --seed and --rows.",
      "  spotify    artists/, albums/ and tracks/ CSVs (--rows = tracks)",
      "  employees  employees/employees.csv",
      "  sales      sales/sales.csv",
      "Example: basin sample-data spotify --rows 100000 --out s3://raw/staging/spotify/"
    })
final class SampleDataCommand implements Callable<Integer> {
  @Mixin ClientOptions client = new ClientOptions();
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DATASET", description = "spotify, employees or sales")
  String dataset;

  @Option(names = "--rows", paramLabel = "N", required = true, description = "Rows to generate")
  long rows;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "1",
      description = "Seed (default: ${DEFAULT-VALUE})")
  long seed;

  @ArgGroup(multiplicity = "1")
  Target target;

  static final class Target {
    @Option(
        names = "--out",
        paramLabel = "s3://BUCKET/PREFIX/",
        description = "Upload under this prefix of the lake, one folder per file")
    String out;

    @Option(names = "--out-dir", paramLabel = "DIR", description = "Write to a local folder")
    Path outDir;
  }

  SampleDataCommand(java.util.Map<String, String> env) {
    client.env = env;
  }

  @Override
  public Integer call() throws IOException {
    List<String> files = SampleDatasets.files(dataset); // fails on an unknown name first
    SampleDatasets.checkRows(rows);
    PrintWriter out = spec.commandLine().getOut();
    if (target.outDir != null) {
      for (SampleFile f : write(target.outDir)) {
        out.printf(
            "wrote: %s (%d rows, %d bytes)%n",
            target.outDir.resolve(f.name()), f.rows(), f.bytes());
      }
      return 0;
    }
    S3Commands.S3Url base = S3Commands.S3Url.parse(target.out);
    String prefix =
        base.key().isEmpty() || base.key().endsWith("/") ? base.key() : base.key() + "/";
    S3RestClient s3 = new S3RestClient(client.endpoint(), client.credentials());
    s3.list(base.bucket(), prefix, "/", null); // a missing bucket or server fails before the work
    Path tmp = Files.createTempDirectory("basin-sample-");
    try {
      List<SampleFile> written = write(tmp);
      for (SampleFile f : written) {
        S3Commands.S3Url to = new S3Commands.S3Url(base.bucket(), prefix + f.name());
        S3Commands.Cp.uploadFile(s3, tmp.resolve(f.name()), to);
        out.printf("upload: %s (%d rows, %d bytes)%n", to, f.rows(), f.bytes());
      }
      if (written.size() != files.size()) {
        throw new IllegalStateException("wrote " + written + ", expected " + files);
      }
    } finally {
      deleteTree(tmp);
    }
    return 0;
  }

  private List<SampleFile> write(Path dir) throws IOException {
    return SampleDatasets.write(
        dataset,
        rows,
        seed,
        name -> {
          Path file = dir.resolve(name);
          Files.createDirectories(file.getParent());
          return Files.newOutputStream(file);
        });
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
