package dev.basin.server.cli;

import dev.basin.common.error.BasinException;
import dev.basin.common.error.CommonErrorCode;
import dev.basin.server.s3.S3RestClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code basin s3 …}: the lake's buckets and objects through Basin's S3 API, signed with the data
 * directory's credentials, like {@code aws s3} with the endpoint and keys already set.
 */
final class S3Commands {
  /** Files at least this large are uploaded in parts. */
  static final long MULTIPART_THRESHOLD = 16L * 1024 * 1024;

  /** The part size of multipart uploads. */
  static final int PART_SIZE = 8 * 1024 * 1024;

  private S3Commands() {}

  static CommandLine commandLine(Map<String, String> env) {
    return ApiCommand.commandLine(
        new Group(), env, new Ls(), new Cp(), new Rm(), new Mb(), new Rb());
  }

  @Command(
      name = "s3",
      mixinStandardHelpOptions = true,
      description = "List, copy and remove objects and buckets in the lake (S3 protocol).")
  static final class Group extends CommandGroup {}

  abstract static class Base extends ApiCommand {
    S3RestClient s3() {
      return new S3RestClient(client.endpoint(), client.credentials());
    }
  }

  /** An {@code s3://bucket/key} location; key may be empty. */
  record S3Url(String bucket, String key) {
    static boolean is(String s) {
      return s.startsWith("s3://");
    }

    static S3Url parse(String s) {
      if (!is(s)) {
        throw new IllegalArgumentException("expected s3://BUCKET[/KEY], got '" + s + "'");
      }
      String rest = s.substring(5);
      int slash = rest.indexOf('/');
      String bucket = slash < 0 ? rest : rest.substring(0, slash);
      if (bucket.isEmpty()) {
        throw new IllegalArgumentException("no bucket in '" + s + "'; expected s3://BUCKET[/KEY]");
      }
      return new S3Url(bucket, slash < 0 ? "" : rest.substring(slash + 1));
    }

    @Override
    public String toString() {
      return "s3://" + bucket + "/" + key;
    }
  }

  @Command(
      name = "ls",
      mixinStandardHelpOptions = true,
      description = "List buckets, or the objects and folders under s3://BUCKET[/PREFIX].")
  static final class Ls extends Base {
    @Parameters(index = "0", arity = "0..1", paramLabel = "s3://BUCKET[/PREFIX]")
    String url;

    @Option(names = "--recursive", description = "List every object under the prefix")
    boolean recursive;

    @Override
    public Integer call() {
      S3RestClient s3 = s3();
      if (url == null) {
        for (S3RestClient.Entry b : s3.listBuckets()) {
          out().printf("%s  %s%n", b.lastModified(), b.key());
        }
        return 0;
      }
      S3Url u = S3Url.parse(url);
      String token = null;
      do {
        S3RestClient.Page page = s3.list(u.bucket(), u.key(), recursive ? null : "/", token);
        for (String p : page.prefixes()) {
          out().printf("%24s %12s %s%n", "", "PRE", p);
        }
        for (S3RestClient.Entry e : page.objects()) {
          out().printf("%24s %12d %s%n", e.lastModified(), e.size(), e.key());
        }
        token = page.nextToken();
      } while (token != null);
      return 0;
    }
  }

  @Command(
      name = "cp",
      mixinStandardHelpOptions = true,
      description = {
        "Copy a local file to the lake, an object to a local file, or an object to another key.",
        "Use - as SRC to read stdin, or as DST to write stdout. Files of "
            + (MULTIPART_THRESHOLD / (1024 * 1024))
            + " MiB and more are uploaded in parts."
      })
  static final class Cp extends Base {
    @Parameters(index = "0", paramLabel = "SRC")
    String src;

    @Parameters(index = "1", paramLabel = "DST")
    String dst;

    @Override
    public Integer call() throws IOException {
      S3RestClient s3 = s3();
      boolean fromS3 = S3Url.is(src);
      boolean toS3 = S3Url.is(dst);
      if (fromS3 && toS3) {
        S3Url from = S3Url.parse(src);
        S3Url to = target(S3Url.parse(dst), name(from.key()));
        s3.copy(from.bucket(), requireKey(from), to.bucket(), to.key());
        out().println("copy: " + from + " to " + to);
      } else if (toS3) {
        S3Url to = S3Url.parse(dst);
        if (src.equals("-")) {
          to = new S3Url(to.bucket(), requireKey(to));
          uploadStream(s3, System.in, to);
        } else {
          Path file = Path.of(src);
          if (!Files.isRegularFile(file)) {
            throw new BasinException(CommonErrorCode.NOT_FOUND, "no such file: " + src);
          }
          to = target(to, file.getFileName().toString());
          uploadFile(s3, file, to);
        }
        out().println("upload: " + src + " to " + to);
      } else if (fromS3) {
        S3Url from = S3Url.parse(src);
        String key = requireKey(from);
        try (InputStream in = s3.get(from.bucket(), key)) {
          if (dst.equals("-")) {
            OutputStream out = System.out;
            in.transferTo(out);
            out.flush();
            return 0;
          }
          Path target = Path.of(dst);
          if (Files.isDirectory(target)) {
            target = target.resolve(name(key));
          }
          Path tmp =
              Files.createTempFile(target.toAbsolutePath().getParent(), ".basin-cp", ".part");
          try {
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(
                tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
          } finally {
            Files.deleteIfExists(tmp);
          }
          out().println("download: " + from + " to " + target);
        }
      } else {
        throw new IllegalArgumentException(
            "one of SRC and DST must be an s3:// URL; for local copies use cp");
      }
      return 0;
    }

    private static S3Url target(S3Url u, String name) {
      return u.key().isEmpty() || u.key().endsWith("/") ? new S3Url(u.bucket(), u.key() + name) : u;
    }

    private static String name(String key) {
      int slash = key.lastIndexOf('/');
      return slash < 0 ? key : key.substring(slash + 1);
    }

    /** Uploads a local file, in parts when it is large; used by {@code sample-data} too. */
    static void uploadFile(S3RestClient s3, Path file, S3Url to) throws IOException {
      long size = Files.size(file);
      if (size < MULTIPART_THRESHOLD) {
        s3.put(to.bucket(), to.key(), file);
        return;
      }
      String uploadId = s3.createMultipartUpload(to.bucket(), to.key());
      try {
        List<String> etags = new ArrayList<>();
        int part = 1;
        for (long off = 0; off < size; off += PART_SIZE, part++) {
          long len = Math.min(PART_SIZE, size - off);
          etags.add(s3.uploadPart(to.bucket(), to.key(), uploadId, part, file, off, len));
        }
        s3.completeMultipartUpload(to.bucket(), to.key(), uploadId, etags);
      } catch (RuntimeException e) {
        abortQuietly(s3, to, uploadId, e);
        throw e;
      }
    }

    /** Reads stdin part by part: one PUT if it fits in a part, a multipart upload otherwise. */
    private static void uploadStream(S3RestClient s3, InputStream in, S3Url to) throws IOException {
      byte[] buf = new byte[PART_SIZE];
      int n = in.readNBytes(buf, 0, buf.length);
      if (n < buf.length) {
        s3.put(to.bucket(), to.key(), buf, n);
        return;
      }
      String uploadId = s3.createMultipartUpload(to.bucket(), to.key());
      try {
        List<String> etags = new ArrayList<>();
        int part = 1;
        while (n > 0) {
          etags.add(s3.uploadPart(to.bucket(), to.key(), uploadId, part++, buf, n));
          n = in.readNBytes(buf, 0, buf.length);
        }
        s3.completeMultipartUpload(to.bucket(), to.key(), uploadId, etags);
      } catch (RuntimeException e) {
        abortQuietly(s3, to, uploadId, e);
        throw e;
      }
    }

    private static void abortQuietly(
        S3RestClient s3, S3Url to, String uploadId, RuntimeException cause) {
      try {
        s3.abortMultipartUpload(to.bucket(), to.key(), uploadId);
      } catch (RuntimeException e) {
        cause.addSuppressed(e);
      }
    }
  }

  static String requireKey(S3Url u) {
    if (u.key().isEmpty()) {
      throw new IllegalArgumentException("'" + u + "' names no object; expected s3://BUCKET/KEY");
    }
    return u.key();
  }

  @Command(
      name = "rm",
      mixinStandardHelpOptions = true,
      description = "Remove an object, or with --recursive every object under a prefix.")
  static final class Rm extends Base {
    @Parameters(index = "0", paramLabel = "s3://BUCKET/KEY")
    String url;

    @Option(names = "--recursive", description = "Remove every object under the prefix")
    boolean recursive;

    @Override
    public Integer call() {
      S3RestClient s3 = s3();
      S3Url u = S3Url.parse(url);
      if (!recursive) {
        s3.delete(u.bucket(), requireKey(u));
        out().println("delete: " + u);
        return 0;
      }
      int deleted = 0;
      int failed = 0;
      String token = null;
      do {
        S3RestClient.Page page = s3.list(u.bucket(), u.key(), null, token);
        List<String> keys = new ArrayList<>();
        for (S3RestClient.Entry e : page.objects()) {
          keys.add(e.key());
        }
        if (!keys.isEmpty()) {
          Map<String, String> errors = s3.deleteAll(u.bucket(), keys);
          for (String k : keys) {
            if (errors.containsKey(k)) {
              out().println("delete failed: s3://" + u.bucket() + "/" + k + ": " + errors.get(k));
              failed++;
            } else {
              out().println("delete: s3://" + u.bucket() + "/" + k);
              deleted++;
            }
          }
        }
        token = page.nextToken();
      } while (token != null);
      out().println(deleted + " object(s) deleted" + (failed > 0 ? ", " + failed + " failed" : ""));
      return failed == 0 ? 0 : 2;
    }
  }

  @Command(name = "mb", mixinStandardHelpOptions = true, description = "Make a bucket.")
  static final class Mb extends Base {
    @Parameters(index = "0", paramLabel = "s3://BUCKET")
    String url;

    @Override
    public Integer call() {
      S3Url u = S3Url.parse(url);
      s3().createBucket(u.bucket());
      out().println("make_bucket: " + u.bucket());
      return 0;
    }
  }

  @Command(name = "rb", mixinStandardHelpOptions = true, description = "Remove an empty bucket.")
  static final class Rb extends Base {
    @Parameters(index = "0", paramLabel = "s3://BUCKET")
    String url;

    @Override
    public Integer call() {
      S3Url u = S3Url.parse(url);
      s3().deleteBucket(u.bucket());
      out().println("remove_bucket: " + u.bucket());
      return 0;
    }
  }
}
