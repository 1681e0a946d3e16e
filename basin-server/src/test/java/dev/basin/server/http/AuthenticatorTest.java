package dev.basin.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.catalog.CatalogConfig;
import dev.basin.server.auth.Credentials;
import dev.basin.server.auth.Role;
import dev.basin.server.auth.Users;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Console sign-in against a real user store: sessions end when a user changes, sign-ins are refused
 * (not queued, not failed) when too many run at once, and repeated failures for a name back off.
 * Time is a settable clock; nothing depends on the wall clock.
 */
class AuthenticatorTest {
  @TempDir Path dir;
  private Instant now = Instant.parse("2026-11-21T12:00:00Z");
  private final Clock clock =
      new Clock() {
        @Override
        public ZoneOffset getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now;
        }
      };
  private Users users;
  private Authenticator auth;

  @BeforeEach
  void open() throws Exception {
    Files.createDirectories(dir.resolve("meta"));
    users = Users.open(CatalogConfig.sqlite(dir), clock);
    auth = new Authenticator(Credentials.generate(new SecureRandom()), true, clock, users);
    users.create("ann", Role.AUTHOR, "password-ann".toCharArray(), "admin");
  }

  @AfterEach
  void close() {
    users.close();
  }

  private static char[] pw(String s) {
    return s.toCharArray();
  }

  @Test
  void passwordRoleAndEnabledChangesAndDeletionEndSessions() {
    ConsoleSessions s = auth.sessions();
    ConsoleSessions.Session a = s.create("ann", Role.AUTHOR);
    users.setPassword("ann", pw("password-new"));
    assertThat(s.find(a.token())).isEmpty();

    a = s.create("ann", Role.AUTHOR);
    users.setRole("ann", Role.READER);
    assertThat(s.find(a.token())).isEmpty();

    a = s.create("ann", Role.READER);
    users.setDisabled("ann", true);
    assertThat(s.find(a.token())).isEmpty();
    users.setDisabled("ann", false);
    assertThat(s.find(a.token())).isEmpty();

    a = s.create("ann", Role.READER);
    users.delete("ann");
    users.create("ann", Role.ADMIN, pw("password-other"), "admin");
    assertThat(s.find(a.token())).isEmpty();
  }

  @Test
  void aSignInWithoutATurnIsRefusedNotTakenForAWrongPassword() {
    int permits = auth.passwordChecks.drainPermits();
    try {
      char[] password = pw("password-ann");
      assertThatThrownBy(() -> auth.userValid("ann", password))
          .isInstanceOf(Authenticator.TooManySignIns.class)
          .hasMessage("too many sign-ins are being checked at once; try again in a second")
          .satisfies(
              e -> assertThat(((Authenticator.TooManySignIns) e).retryAfterSeconds()).isEqualTo(1));
      assertThat(password).containsOnly('\0');
    } finally {
      auth.passwordChecks.release(permits);
    }
    // a refused sign-in does not count as a failure
    for (int i = 0; i < SignInBackoff.FREE_FAILURES - 1; i++) {
      assertThat(auth.userValid("ann", pw("wrong-password"))).isEmpty();
    }
    assertThat(auth.userValid("ann", pw("password-ann"))).isPresent();
  }

  @Test
  void repeatedFailuresForANameBackOffExponentiallyUpToFifteenMinutes() {
    for (int i = 0; i < SignInBackoff.FREE_FAILURES; i++) {
      assertThat(auth.userValid("ann", pw("wrong-password"))).isEmpty();
    }
    // locked: even the right password is not checked
    assertThatThrownBy(() -> auth.userValid("ann", pw("password-ann")))
        .isInstanceOf(Authenticator.TooManySignIns.class)
        .hasMessage(
            "too many failed sign-ins for user 'ann'; wait 30 s before trying again, or ask an"
                + " admin to set a new password");
    // other names are not affected
    assertThat(auth.userValid("bob", pw("whatever-pw"))).isEmpty();

    now = now.plusSeconds(30);
    assertThat(auth.userValid("ann", pw("wrong-password"))).isEmpty();
    assertThat(retryAfter("ann")).isEqualTo(60);
    now = now.plusSeconds(60);
    assertThat(auth.userValid("ann", pw("wrong-password"))).isEmpty();
    assertThat(retryAfter("ann")).isEqualTo(120);
    for (int i = 0; i < 10; i++) {
      now = now.plus(Duration.ofMinutes(15));
      assertThat(auth.userValid("ann", pw("wrong-password"))).isEmpty();
    }
    assertThat(retryAfter("ann")).isEqualTo(15 * 60);

    // unknown names back off the same way, so refusals tell nothing about who exists
    for (int i = 0; i < SignInBackoff.FREE_FAILURES; i++) {
      assertThat(auth.userValid("nobody", pw("wrong-password"))).isEmpty();
    }
    assertThat(retryAfter("nobody")).isEqualTo(30);

    // a success resets the count
    now = now.plus(Duration.ofMinutes(15));
    assertThat(auth.userValid("ann", pw("password-ann"))).isPresent();
    for (int i = 0; i < SignInBackoff.FREE_FAILURES - 1; i++) {
      assertThat(auth.userValid("ann", pw("wrong-password"))).isEmpty();
    }
    assertThat(auth.userValid("ann", pw("password-ann"))).isPresent();
  }

  private long retryAfter(String name) {
    try {
      auth.userValid(name, pw("any-password"));
    } catch (Authenticator.TooManySignIns e) {
      return e.retryAfterSeconds();
    }
    throw new AssertionError("sign-ins for " + name + " are not refused");
  }

  @Test
  void onlyLocalHostNamesPassWhileAuthenticationIsOff() {
    for (String host :
        new String[] {
          "127.0.0.1",
          "127.0.0.1:8080",
          "localhost",
          "LOCALHOST:9000",
          "[::1]",
          "[::1]:8080",
          "10.1.2.3:8080"
        }) {
      assertThat(Authenticator.localHost(host, "10.1.2.3")).as(host).isTrue();
    }
    for (String host :
        new String[] {
          "evil.example",
          "evil.example:8080",
          "localhost.evil.example:8080",
          "127.0.0.1.nip.io:8080",
          "10.1.2.4:8080",
          "999.0.0.1:8080",
          "[::1]x",
          "[::2]:8080",
          ""
        }) {
      assertThat(Authenticator.localHost(host, "10.1.2.3")).as(host).isFalse();
    }
  }
}
