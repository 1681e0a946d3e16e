package dev.basin.server.auth;

import dev.basin.common.error.BasinException;
import dev.basin.common.error.CommonErrorCode;
import dev.basin.common.io.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access key pair every Basin API checks, and the AWS shared-credentials file ({@code
 * DATA_DIR/credentials}) that holds it:
 *
 * <pre>
 * [default]
 * aws_access_key_id = BASIN…
 * aws_secret_access_key = …
 * </pre>
 *
 * <p>{@link #toString()} masks the secret; so does every exception message here.
 */
public record Credentials(String accessKeyId, String secretAccessKey) {
  /** The environment variable that, with {@link #ENV_SECRET_ACCESS_KEY}, overrides the file. */
  public static final String ENV_ACCESS_KEY_ID = "BASIN_ACCESS_KEY_ID";

  /** The environment variable that, with {@link #ENV_ACCESS_KEY_ID}, overrides the file. */
  public static final String ENV_SECRET_ACCESS_KEY = "BASIN_SECRET_ACCESS_KEY";

  /** The profile the server reads and writes. */
  public static final String DEFAULT_PROFILE = "default";

  static final String ACCESS_KEY_PREFIX = "BASIN";
  private static final String KEY_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  private static final String SECRET_ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+";
  private static final int KEY_ID_LENGTH = 20;
  private static final int SECRET_LENGTH = 40;
  private static final int MAX_LENGTH = 128;
  private static final Logger LOG = LoggerFactory.getLogger(Credentials.class);

  /**
   * @throws BasinException ({@code INVALID_ARGUMENT}) if the access key id is empty, longer than
   *     128 characters, or contains whitespace, control characters or {@code /}; or if the secret
   *     is empty, longer than 128 characters, or contains whitespace or control characters
   */
  public Credentials {
    Objects.requireNonNull(accessKeyId, "accessKeyId");
    Objects.requireNonNull(secretAccessKey, "secretAccessKey");
    if (accessKeyId.isEmpty()
        || accessKeyId.length() > MAX_LENGTH
        || !printable(accessKeyId)
        || accessKeyId.indexOf('/') >= 0) {
      throw new BasinException(
          CommonErrorCode.INVALID_ARGUMENT,
          "access key id '"
              + accessKeyId
              + "' is invalid: use 1 to 128 characters without spaces, control characters or '/'");
    }
    if (secretAccessKey.isEmpty()
        || secretAccessKey.length() > MAX_LENGTH
        || !printable(secretAccessKey)) {
      // Never echo the secret.
      throw new BasinException(
          CommonErrorCode.INVALID_ARGUMENT,
          "the secret access key for '"
              + accessKeyId
              + "' is invalid: use 1 to 128 characters without spaces or control characters");
    }
  }

  private static boolean printable(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isWhitespace(c) || Character.isISOControl(c) || Character.isSpaceChar(c)) {
        return false;
      }
    }
    return true;
  }

  /**
   * A new random key pair: a 20-character access key id, {@code BASIN} followed by 15 upper-case
   * letters and digits, and a 40-character secret of {@code [A-Za-z0-9/+]}, the shapes AWS uses.
   */
  public static Credentials generate(SecureRandom random) {
    Objects.requireNonNull(random, "random");
    StringBuilder id = new StringBuilder(KEY_ID_LENGTH).append(ACCESS_KEY_PREFIX);
    while (id.length() < KEY_ID_LENGTH) {
      id.append(KEY_ID_ALPHABET.charAt(random.nextInt(KEY_ID_ALPHABET.length())));
    }
    StringBuilder secret = new StringBuilder(SECRET_LENGTH);
    for (int i = 0; i < SECRET_LENGTH; i++) {
      secret.append(SECRET_ALPHABET.charAt(random.nextInt(SECRET_ALPHABET.length())));
    }
    return new Credentials(id.toString(), secret.toString());
  }

  /**
   * The pair in the {@code BASIN_ACCESS_KEY_ID} and {@code BASIN_SECRET_ACCESS_KEY} variables of
   * {@code env} (pass {@code System.getenv()} from {@code main}), or {@code null} when neither is
   * set.
   *
   * @throws BasinException ({@code INVALID_CONFIG}) if only one of the two is set, or a value is
   *     invalid
   */
  public static Credentials fromEnv(Map<String, String> env) {
    String id = blankToNull(env.get(ENV_ACCESS_KEY_ID));
    String secret = blankToNull(env.get(ENV_SECRET_ACCESS_KEY));
    if (id == null && secret == null) {
      return null;
    }
    if (id == null || secret == null) {
      throw new BasinException(
          CommonErrorCode.INVALID_CONFIG,
          (id == null ? ENV_SECRET_ACCESS_KEY : ENV_ACCESS_KEY_ID)
              + " is set but "
              + (id == null ? ENV_ACCESS_KEY_ID : ENV_SECRET_ACCESS_KEY)
              + " is not; set both, or neither to use the credentials file");
    }
    try {
      return new Credentials(id.strip(), secret.strip());
    } catch (BasinException e) {
      throw new BasinException(
          CommonErrorCode.INVALID_CONFIG,
          ENV_ACCESS_KEY_ID + "/" + ENV_SECRET_ACCESS_KEY + ": " + e.getMessage(),
          e);
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  /**
   * Reads one profile of an AWS shared-credentials file: {@code [name]} sections ({@code [profile
   * name]} is accepted too) of {@code key = value} lines; blank lines and lines starting with
   * {@code #} or {@code ;} are ignored; other keys are ignored.
   *
   * @throws BasinException {@code NOT_FOUND} if the file does not exist; {@code INVALID_CONFIG} if
   *     it is malformed, lacks the profile, or the profile lacks {@code aws_access_key_id} or
   *     {@code aws_secret_access_key}; {@code INTERNAL} if it cannot be read
   */
  public static Credentials readFile(Path file, String profile) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(profile, "profile");
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .decode(ByteBuffer.wrap(Files.readAllBytes(file)))
              .toString();
    } catch (NoSuchFileException e) {
      throw new BasinException(
          CommonErrorCode.NOT_FOUND,
          "credentials file "
              + file
              + " does not exist; start the server once to create it, or set "
              + ENV_ACCESS_KEY_ID
              + " and "
              + ENV_SECRET_ACCESS_KEY,
          e);
    } catch (CharacterCodingException e) {
      throw new BasinException(
          CommonErrorCode.INVALID_CONFIG, "credentials file " + file + " is not UTF-8 text", e);
    } catch (IOException e) {
      throw new BasinException(
          CommonErrorCode.INTERNAL, "cannot read credentials file " + file + ": " + e, e);
    }

    Map<String, Map<String, String>> profiles = parseIni(file, text);
    Map<String, String> keys = profiles.get(profile);
    if (keys == null) {
      throw new BasinException(
          CommonErrorCode.INVALID_CONFIG,
          "credentials file "
              + file
              + " has no ["
              + profile
              + "] profile; profiles found: "
              + profiles.keySet());
    }
    String id = keys.get("aws_access_key_id");
    String secret = keys.get("aws_secret_access_key");
    for (String[] required :
        List.of(
            new String[] {"aws_access_key_id", id},
            new String[] {"aws_secret_access_key", secret})) {
      if (required[1] == null || required[1].isEmpty()) {
        throw new BasinException(
            CommonErrorCode.INVALID_CONFIG,
            "credentials file "
                + file
                + ", profile ["
                + profile
                + "]: "
                + required[0]
                + " is missing or empty; expected a line '"
                + required[0]
                + " = …'");
      }
    }
    try {
      return new Credentials(id, secret);
    } catch (BasinException e) {
      throw new BasinException(
          CommonErrorCode.INVALID_CONFIG,
          "credentials file " + file + ", profile [" + profile + "]: " + e.getMessage(),
          e);
    }
  }

  private static Map<String, Map<String, String>> parseIni(Path file, String text) {
    Map<String, Map<String, String>> profiles = new LinkedHashMap<>();
    Map<String, String> current = null;
    String[] lines = text.split("\r?\n|\r", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (i == 0 && line.startsWith("\uFEFF")) {
        line = line.substring(1).strip();
      }
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      int lineNumber = i + 1;
      if (line.startsWith("[")) {
        if (!line.endsWith("]") || line.length() < 3) {
          throw malformed(file, lineNumber, "a profile header must look like '[name]'");
        }
        String name = line.substring(1, line.length() - 1).strip();
        if (name.startsWith("profile ")) {
          name = name.substring("profile ".length()).strip();
        }
        current = profiles.computeIfAbsent(name, n -> new LinkedHashMap<>());
        continue;
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        // The line may hold a secret: describe it, never quote it.
        throw malformed(file, lineNumber, "expected '[profile]' or 'key = value', found neither");
      }
      if (current == null) {
        throw malformed(file, lineNumber, "'key = value' before any [profile] header");
      }
      current.put(
          line.substring(0, eq).strip().toLowerCase(Locale.ROOT), line.substring(eq + 1).strip());
    }
    return profiles;
  }

  private static BasinException malformed(Path file, int line, String problem) {
    return new BasinException(
        CommonErrorCode.INVALID_CONFIG,
        "credentials file "
            + file
            + " line "
            + line
            + ": "
            + problem
            + "; fix the file, or delete it to have a new key pair generated");
  }

  /**
   * Writes this pair as the {@code [default]} profile, replacing {@code file} atomically. The file
   * is created with mode {@code 600} (owner read/write only) where the file system supports POSIX
   * permissions, and never exists with wider permissions even briefly. Durable when it returns.
   *
   * @throws BasinException ({@code INTERNAL}) if the file cannot be written
   */
  public void writeFile(Path file) {
    Objects.requireNonNull(file, "file");
    String text =
        "["
            + DEFAULT_PROFILE
            + "]\naws_access_key_id = "
            + accessKeyId
            + "\naws_secret_access_key = "
            + secretAccessKey
            + "\n";
    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    Path tmp = null;
    try {
      DurableFiles.createDirectories(dir);
      // DurableFiles.writeAtomically creates its temporary file with the default (umask)
      // permissions, which would expose the secret until a chmod; create it owner-only instead.
      tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp", ownerOnly(dir));
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      tmp = null;
      DurableFiles.fsyncDirectory(dir);
    } catch (IOException e) {
      throw new BasinException(
          CommonErrorCode.INTERNAL, "cannot write credentials file " + target + ": " + e, e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException e) {
          LOG.warn("could not delete temporary file {}", tmp, e);
        }
      }
    }
  }

  private static FileAttribute<?>[] ownerOnly(Path dir) {
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return new FileAttribute<?>[] {
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
      };
    }
    return new FileAttribute<?>[0];
  }

  /**
   * The key pair the server uses, by the rule of DESIGN.md: the pair from the environment when
   * there is one (it is not written to disk); otherwise the {@code [default]} profile of {@code
   * file}; otherwise a new pair from {@code random}, written to {@code file}.
   *
   * @param fromEnvOrNull the pair from {@link #fromEnv}, or {@code null}
   * @throws BasinException as {@link #readFile} and {@link #writeFile} do
   */
  public static Credentials loadOrCreate(
      Path file, Credentials fromEnvOrNull, SecureRandom random) {
    Objects.requireNonNull(file, "file");
    if (fromEnvOrNull != null) {
      return fromEnvOrNull;
    }
    if (Files.exists(file)) {
      warnIfReadableByOthers(file);
      return readFile(file, DEFAULT_PROFILE);
    }
    Credentials created = generate(random);
    created.writeFile(file);
    LOG.info("Created {} with access key id {}", file, created.accessKeyId());
    return created;
  }

  private static void warnIfReadableByOthers(Path file) {
    try {
      if (!file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        return;
      }
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
      if (permissions.contains(PosixFilePermission.GROUP_READ)
          || permissions.contains(PosixFilePermission.OTHERS_READ)) {
        LOG.warn(
            "credentials file {} is readable by other users ({}); run: chmod 600 {}",
            file,
            PosixFilePermissions.toString(permissions),
            file);
      }
    } catch (IOException | UnsupportedOperationException e) {
      LOG.debug("cannot read the permissions of {}", file, e);
    }
  }

  /** Shows the access key id; the secret is masked. */
  @Override
  public String toString() {
    return "Credentials[accessKeyId=" + accessKeyId + ", secretAccessKey=****]";
  }
}
