package dev.basin.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ConsoleSessionsTest {
  private Instant now = Instant.parse("2026-01-01T00:00:00Z");
  private final Clock clock =
      new Clock() {
        @Override
        public ZoneOffset getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now;
        }
      };

  @Test
  void safeMethodsNeedOnlyTheCookieOthersAlsoTheCsrfToken() {
    ConsoleSessions sessions = new ConsoleSessions(clock, Duration.ofHours(1));
    ConsoleSessions.Session s = sessions.create("BASINKEY");
    assertThat(s.token()).isNotEqualTo(s.csrfToken()).hasSizeGreaterThanOrEqualTo(43);
    assertThat(sessions.allows("GET", s.token(), null)).isTrue();
    assertThat(sessions.allows("POST", s.token(), null)).isFalse();
    assertThat(sessions.allows("DELETE", s.token(), "wrong")).isFalse();
    assertThat(sessions.allows("POST", s.token(), s.csrfToken())).isTrue();
    assertThat(sessions.allows("GET", "forged", null)).isFalse();
    assertThat(sessions.allows("GET", null, null)).isFalse();
    // the CSRF token is not a session token
    assertThat(sessions.allows("GET", s.csrfToken(), null)).isFalse();
  }

  @Test
  void sessionsExpireAndCanBeRevoked() {
    ConsoleSessions sessions = new ConsoleSessions(clock, Duration.ofHours(1));
    ConsoleSessions.Session a = sessions.create("K");
    ConsoleSessions.Session b = sessions.create("K");
    sessions.revoke(a.token());
    assertThat(sessions.find(a.token())).isEmpty();
    assertThat(sessions.find(b.token())).isPresent();
    now = now.plus(Duration.ofMinutes(59));
    assertThat(sessions.find(b.token())).isPresent();
    now = now.plus(Duration.ofMinutes(1));
    assertThat(sessions.find(b.token())).isEmpty();
    assertThat(sessions.allows("GET", b.token(), null)).isFalse();
    assertThat(b.toString()).doesNotContain(b.token()).doesNotContain(b.csrfToken());
  }

  @Test
  void revokingAUserEndsAllItsSessionsAndNoOtherUsers() {
    ConsoleSessions sessions = new ConsoleSessions(clock, Duration.ofHours(1));
    ConsoleSessions.Session a1 = sessions.create("ann", dev.basin.server.auth.Role.AUTHOR);
    ConsoleSessions.Session a2 = sessions.create("ann", dev.basin.server.auth.Role.AUTHOR);
    ConsoleSessions.Session b = sessions.create("bob", dev.basin.server.auth.Role.READER);
    assertThat(sessions.revokeUser("ann")).isEqualTo(2);
    assertThat(sessions.find(a1.token())).isEmpty();
    assertThat(sessions.find(a2.token())).isEmpty();
    assertThat(sessions.find(b.token())).isPresent();
    assertThat(sessions.revokeUser("ann")).isZero();
    assertThat(sessions.revokeUser(null)).isZero();
  }

  @Test
  void rejectsANonPositiveLifetime() {
    assertThatThrownBy(() -> new ConsoleSessions(clock, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT0S");
  }
}
