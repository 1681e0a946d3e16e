package dev.basin.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.catalog.CatalogConfig;
import dev.basin.common.error.BasinException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The user store on a real SQLite metadata database. */
class UsersTest {
  private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");

  @TempDir Path dir;
  private Users users;

  @BeforeEach
  void open() throws Exception {
    Files.createDirectories(dir.resolve("meta"));
    users = Users.open(CatalogConfig.sqlite(dir), Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @AfterEach
  void close() {
    users.close();
  }

  private static char[] pw(String s) {
    return s.toCharArray();
  }

  @Test
  void createdUsersSignInWithTheirPasswordOnly() {
    char[] password = pw("correct horse");
    User alice = users.create("alice", Role.READER, password, "BASINADMIN");
    assertThat(password).containsOnly('\0');
    assertThat(alice).isEqualTo(new User("alice", Role.READER, NOW, "BASINADMIN", false));
    assertThat(users.authenticate("alice", pw("correct horse"))).contains(alice);
    assertThat(users.authenticate("alice", pw("correct horsE"))).isEmpty();
    assertThat(users.authenticate("alice", pw(""))).isEmpty();
    assertThat(users.authenticate("bob", pw("correct horse"))).isEmpty();
    assertThat(users.authenticate("Alice", pw("correct horse"))).isEmpty();
    assertThat(users.authenticate(null, pw("correct horse"))).isEmpty();
  }

  @Test
  void passwordsAreStoredAsSaltedPbkdf2Hashes() throws Exception {
    users.create("alice", Role.READER, pw("same password"), "admin");
    users.create("bob", Role.READER, pw("same password"), "admin");
    String hash = storedHash("alice");
    assertThat(hash).startsWith("pbkdf2-sha256$210000$").doesNotContain("same password");
    // a random salt each: the same password hashes differently
    assertThat(storedHash("bob")).isNotEqualTo(hash);
    assertThat(PasswordHashes.verify(pw("same password"), hash)).isTrue();
    assertThat(PasswordHashes.verify(pw("same passwore"), hash)).isFalse();
    assertThat(PasswordHashes.verify(pw("same password"), "pbkdf2-sha256$1$AA$")).isFalse();
    assertThat(PasswordHashes.verify(pw("same password"), "not a hash")).isFalse();
    assertThat(PasswordHashes.ITERATIONS).isGreaterThanOrEqualTo(210_000);
  }

  private String storedHash(String name) throws Exception {
    try (var c =
            java.sql.DriverManager.getConnection(
                "jdbc:sqlite:" + dir.resolve("meta").resolve("basin.db"));
        var ps = c.prepareStatement("SELECT password_hash FROM basin_users WHERE name = ?")) {
      ps.setString(1, name);
      try (var rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return rs.getString(1);
      }
    }
  }

  @Test
  void disabledUsersCannotSignInUntilEnabledAgain() {
    users.create("carol", Role.AUTHOR, pw("password1"), "admin");
    assertThat(users.setDisabled("carol", true).disabled()).isTrue();
    assertThat(users.authenticate("carol", pw("password1"))).isEmpty();
    assertThat(users.get("carol").disabled()).isTrue();
    users.setDisabled("carol", false);
    assertThat(users.authenticate("carol", pw("password1"))).isPresent();
  }

  @Test
  void duplicateNamesAreRefusedAndNothingChanges() {
    users.create("dave", Role.READER, pw("password1"), "admin");
    assertThatThrownBy(() -> users.create("dave", Role.ADMIN, pw("password2"), "admin"))
        .isInstanceOf(BasinException.class)
        .hasMessageContaining("user 'dave' exists already")
        .extracting(e -> ((BasinException) e).code())
        .isEqualTo(UserErrorCode.USER_EXISTS);
    assertThat(users.get("dave").role()).isEqualTo(Role.READER);
    assertThat(users.authenticate("dave", pw("password1"))).isPresent();
    assertThat(users.authenticate("dave", pw("password2"))).isEmpty();
  }

  @Test
  void badNamesAndPasswordsAreRefusedWithWhatToDo() {
    for (String bad :
        Arrays.asList(
            "", "Alice", "1abc", "a b", "a/b", "x".repeat(65), "robert'); drop", null, "é")) {
      assertThatThrownBy(() -> users.create(bad, Role.READER, pw("password1"), "admin"))
          .isInstanceOf(BasinException.class)
          .hasMessageContaining("is invalid: use 1 to 64 lower-case letters");
    }
    assertThatThrownBy(() -> users.create("anonymous", Role.READER, pw("password1"), "admin"))
        .hasMessageContaining("reserved");
    assertThatThrownBy(() -> users.create("erin", Role.READER, pw("short"), "admin"))
        .hasMessageContaining("too short: use at least 8 characters");
    assertThatThrownBy(() -> users.create("erin", Role.READER, pw("x".repeat(1025)), "admin"))
        .hasMessageContaining("too long");
    assertThat(users.list()).isEmpty();
    assertThat(users.create("a.b_c-d@example.org", Role.READER, pw("password1"), "x").name())
        .isEqualTo("a.b_c-d@example.org");
  }

  @Test
  void rolesAndPasswordsChangeAndUsersCanBeDeleted() {
    users.create("frank", Role.READER, pw("password1"), "admin");
    users.create("anna", Role.AUTHOR, pw("password1"), "admin");
    assertThat(users.list()).extracting(User::name).containsExactly("anna", "frank");
    assertThat(users.setRole("frank", Role.ADMIN).role()).isEqualTo(Role.ADMIN);
    users.setPassword("frank", pw("new password"));
    assertThat(users.authenticate("frank", pw("password1"))).isEmpty();
    assertThat(users.authenticate("frank", pw("new password"))).isPresent();
    assertThatThrownBy(() -> users.setPassword("frank", pw("short")))
        .hasMessageContaining("too short");
    assertThat(users.authenticate("frank", pw("new password"))).isPresent();
    users.delete("frank");
    assertThat(users.find("frank")).isEmpty();
    assertThat(users.authenticate("frank", pw("new password"))).isEmpty();
    for (Runnable r :
        new Runnable[] {
          () -> users.delete("frank"),
          () -> users.setRole("frank", Role.READER),
          () -> users.setDisabled("frank", true),
          () -> users.setPassword("frank", pw("password9")),
          () -> users.get("frank")
        }) {
      assertThatThrownBy(r::run)
          .isInstanceOf(BasinException.class)
          .hasMessageContaining("user 'frank' not found; list users with `basin user list`");
    }
  }

  @Test
  void everyChangeOfCredentialsOrRoleSignsTheUserOut() {
    java.util.List<String> signedOut = new java.util.ArrayList<>();
    users.onSignOut(signedOut::add);
    users.create("hugo", Role.READER, pw("password1"), "admin");
    signedOut.clear();
    users.setPassword("hugo", pw("password2"));
    users.setRole("hugo", Role.AUTHOR);
    users.setDisabled("hugo", true);
    users.setDisabled("hugo", false);
    users.delete("hugo");
    assertThat(signedOut).containsExactly("hugo", "hugo", "hugo", "hugo", "hugo");
    // a refused change signs nobody out
    signedOut.clear();
    assertThatThrownBy(() -> users.setPassword("hugo", pw("password3")))
        .isInstanceOf(BasinException.class);
    assertThatThrownBy(() -> users.setRole("hugo", Role.READER)).isInstanceOf(BasinException.class);
    users.create("ivan", Role.READER, pw("password1"), "admin");
    signedOut.clear();
    assertThatThrownBy(() -> users.setPassword("ivan", pw("short")))
        .isInstanceOf(BasinException.class);
    assertThat(signedOut).isEmpty();
  }

  @Test
  void aUserCanBeCreatedDisabledInOneStep() {
    User u = users.create("jane", Role.READER, pw("password1"), "admin", true);
    assertThat(u.disabled()).isTrue();
    assertThat(users.get("jane").disabled()).isTrue();
    assertThat(users.authenticate("jane", pw("password1"))).isEmpty();
    // a taken name changes nothing, disabled or not
    assertThatThrownBy(() -> users.create("jane", Role.ADMIN, pw("password2"), "admin", false))
        .isInstanceOf(BasinException.class);
    assertThat(users.get("jane")).isEqualTo(u);
  }

  @Test
  void usersSurviveReopeningTheStore() {
    users.create("gina", Role.AUTHOR, pw("password1"), "admin");
    users.close();
    users = Users.open(CatalogConfig.sqlite(dir), Clock.systemUTC());
    assertThat(users.authenticate("gina", pw("password1")))
        .hasValueSatisfying(u -> assertThat(u.role()).isEqualTo(Role.AUTHOR));
  }

  @Test
  void rolesParseInAnyCaseAndNameTheChoicesOtherwise() {
    assertThat(Role.parse("reader")).isEqualTo(Role.READER);
    assertThat(Role.parse(" Author ")).isEqualTo(Role.AUTHOR);
    assertThatThrownBy(() -> Role.parse("owner"))
        .hasMessage("role 'owner' is unknown; use one of admin, author, reader");
    assertThatThrownBy(() -> Role.parse(null)).hasMessageContaining("unknown");
  }
}
