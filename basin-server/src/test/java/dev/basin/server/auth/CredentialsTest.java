package dev.basin.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.basin.common.error.BasinException;
import dev.basin.common.error.CommonErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsTest {
  static final Credentials PAIR =
      new Credentials("BASINAAAAAAAAAAAAAAA", "0123456789abcdefghijABCDEFGHIJ/+/+/+/+/+");

  @TempDir Path dir;

  @Test
  void generatesKeyPairsShapedLikeAws() {
    SecureRandom random = new SecureRandom();
    Credentials a = Credentials.generate(random);
    Credentials b = Credentials.generate(random);

    assertThat(a.accessKeyId()).matches("BASIN[A-Z0-9]{15}");
    assertThat(a.secretAccessKey()).matches("[A-Za-z0-9/+]{40}");
    assertThat(b.accessKeyId()).isNotEqualTo(a.accessKeyId());
    assertThat(b.secretAccessKey()).isNotEqualTo(a.secretAccessKey());
  }

  @Test
  void toStringMasksTheSecret() {
    assertThat(PAIR.toString())
        .isEqualTo("Credentials[accessKeyId=BASINAAAAAAAAAAAAAAA, secretAccessKey=****]")
        .doesNotContain(PAIR.secretAccessKey());
  }

  @Test
  void writesTheDefaultProfileOwnerOnlyAndReadsItBack() throws IOException {
    Path file = dir.resolve("data/credentials");

    PAIR.writeFile(file);

    assertThat(Files.readString(file))
        .isEqualTo(
            "[default]\naws_access_key_id = BASINAAAAAAAAAAAAAAA\n"
                + "aws_secret_access_key = 0123456789abcdefghijABCDEFGHIJ/+/+/+/+/+\n");
    assertThat(Credentials.readFile(file, "default")).isEqualTo(PAIR);
    assumeThat(file.getFileSystem().supportedFileAttributeViews()).contains("posix");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }

  @Test
  void replacesAnExistingFileAndLeavesNoTemporaryFileBehind() throws IOException {
    Path file = dir.resolve("credentials");
    Files.writeString(file, "[default]\naws_access_key_id = OLD\naws_secret_access_key = old\n");
    if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    }

    PAIR.writeFile(file);

    assertThat(Credentials.readFile(file, "default")).isEqualTo(PAIR);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(file);
    }
    if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
    }
  }

  @Test
  void readsTheAwsSharedCredentialsFormat() throws IOException {
    Path file = dir.resolve("credentials");
    Files.write(
        file,
        ("\uFEFF# written by hand\r\n"
                + "[other]\r\n"
                + "aws_access_key_id=OTHER\r\n"
                + "aws_secret_access_key=other-secret\r\n"
                + "\r\n"
                + "; the one Basin uses\r\n"
                + "[ profile basin ]\r\n"
                + "  AWS_ACCESS_KEY_ID   =   BASINAAAAAAAAAAAAAAA  \r\n"
                + "region = eu-west-1\r\n"
                + "aws_secret_access_key = 0123456789abcdefghijABCDEFGHIJ/+/+/+/+/+\r\n")
            .getBytes(StandardCharsets.UTF_8));

    assertThat(Credentials.readFile(file, "basin")).isEqualTo(PAIR);
    assertThat(Credentials.readFile(file, "other"))
        .isEqualTo(new Credentials("OTHER", "other-secret"));
  }

  @Test
  void aMissingFileSaysWhatToDo() {
    Path file = dir.resolve("credentials");

    BasinException e =
        catchThrowableOfType(BasinException.class, () -> Credentials.readFile(file, "default"));

    assertThat(e.code()).isEqualTo(CommonErrorCode.NOT_FOUND);
    assertThat(e.getMessage())
        .isEqualTo(
            "credentials file "
                + file
                + " does not exist; start the server once to create it, or set"
                + " BASIN_ACCESS_KEY_ID and BASIN_SECRET_ACCESS_KEY");
  }

  @Test
  void aMissingProfileListsTheProfilesThatExist() throws IOException {
    Path file = dir.resolve("credentials");
    Files.writeString(file, "[a]\naws_access_key_id = A\n[b]\naws_access_key_id = B\n");

    BasinException e =
        catchThrowableOfType(BasinException.class, () -> Credentials.readFile(file, "default"));

    assertThat(e.code()).isEqualTo(CommonErrorCode.INVALID_CONFIG);
    assertThat(e.getMessage())
        .isEqualTo(
            "credentials file " + file + " has no [default] profile; profiles found: [a, b]");
  }

  @Test
  void aMissingKeyIsNamed() throws IOException {
    Path file = dir.resolve("credentials");
    Files.writeString(file, "[default]\naws_access_key_id = BASINAAAAAAAAAAAAAAA\n");

    BasinException e =
        catchThrowableOfType(BasinException.class, () -> Credentials.readFile(file, "default"));

    assertThat(e.code()).isEqualTo(CommonErrorCode.INVALID_CONFIG);
    assertThat(e.getMessage())
        .isEqualTo(
            "credentials file "
                + file
                + ", profile [default]: aws_secret_access_key is missing or empty; expected a"
                + " line 'aws_secret_access_key = …'");
  }

  @Test
  void aMalformedLineIsReportedByNumberWithoutQuotingIt() throws IOException {
    Path file = dir.resolve("credentials");
    Files.writeString(
        file,
        "[default]\naws_access_key_id = BASINAAAAAAAAAAAAAAA\naws_secret_access_key: leaked\n");

    BasinException e =
        catchThrowableOfType(BasinException.class, () -> Credentials.readFile(file, "default"));

    assertThat(e.code()).isEqualTo(CommonErrorCode.INVALID_CONFIG);
    assertThat(e.getMessage())
        .isEqualTo(
            "credentials file "
                + file
                + " line 3: expected '[profile]' or 'key = value', found neither; fix the file,"
                + " or delete it to have a new key pair generated")
        .doesNotContain("leaked");
  }

  @Test
  void anInvalidSecretIsReportedWithoutQuotingIt() throws IOException {
    Path file = dir.resolve("credentials");
    Files.writeString(
        file,
        "[default]\naws_access_key_id = BASINAAAAAAAAAAAAAAA\n"
            + "aws_secret_access_key = two\u00a0words\n");

    BasinException e =
        catchThrowableOfType(BasinException.class, () -> Credentials.readFile(file, "default"));

    assertThat(e.code()).isEqualTo(CommonErrorCode.INVALID_CONFIG);
    assertThat(e.getMessage())
        .contains("profile [default]: the secret access key for 'BASINAAAAAAAAAAAAAAA' is invalid")
        .doesNotContain("words");
  }

  @Test
  void rejectsAnAccessKeyIdThatWouldBreakTheCredentialScope() {
    BasinException e =
        catchThrowableOfType(BasinException.class, () -> new Credentials("a/b", "secret"));

    assertThat(e.code()).isEqualTo(CommonErrorCode.INVALID_ARGUMENT);
    assertThat(e.getMessage()).startsWith("access key id 'a/b' is invalid");
  }

  @Test
  void theEnvironmentPairWinsAndIsNotWritten() {
    Path file = dir.resolve("credentials");
    Credentials env =
        Credentials.fromEnv(
            Map.of(
                "BASIN_ACCESS_KEY_ID", "fromenv",
                "BASIN_SECRET_ACCESS_KEY", "env-secret"));

    Credentials used = Credentials.loadOrCreate(file, env, new SecureRandom());

    assertThat(used).isEqualTo(new Credentials("fromenv", "env-secret"));
    assertThat(file).doesNotExist();
  }

  @Test
  void theEnvironmentPairWinsOverAnExistingFile() {
    Path file = dir.resolve("credentials");
    PAIR.writeFile(file);
    Credentials env = new Credentials("fromenv", "env-secret");

    assertThat(Credentials.loadOrCreate(file, env, new SecureRandom())).isEqualTo(env);
    assertThat(Credentials.readFile(file, "default")).isEqualTo(PAIR);
  }

  @Test
  void anExistingFileIsReadAndANewOneIsCreatedOnce() {
    Path file = dir.resolve("data/credentials");

    Credentials created = Credentials.loadOrCreate(file, null, new SecureRandom());
    Credentials again = Credentials.loadOrCreate(file, null, new SecureRandom());

    assertThat(created.accessKeyId()).startsWith("BASIN");
    assertThat(Credentials.readFile(file, "default")).isEqualTo(created);
    assertThat(again).isEqualTo(created);
  }

  @Test
  void theEnvironmentNeedsBothVariablesOrNeither() {
    assertThat(Credentials.fromEnv(Map.of())).isNull();
    assertThat(Credentials.fromEnv(Map.of("BASIN_ACCESS_KEY_ID", " "))).isNull();
    Map<String, String> half = new HashMap<>();
    half.put("BASIN_ACCESS_KEY_ID", "id");

    BasinException e = catchThrowableOfType(BasinException.class, () -> Credentials.fromEnv(half));

    assertThat(e.code()).isEqualTo(CommonErrorCode.INVALID_CONFIG);
    assertThat(e.getMessage())
        .isEqualTo(
            "BASIN_ACCESS_KEY_ID is set but BASIN_SECRET_ACCESS_KEY is not; set both, or neither to"
                + " use the credentials file");
  }
}
