package dev.basin.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.server.auth.Role;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class PrintTicketsTest {
  private static final String TARGET = "/dashboards/sales?print=1&s=%7B%7D";

  /** A clock the test moves by hand. */
  private static final class ManualClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneId getZone() {
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

    void advance(Duration d) {
      now = now.plus(d);
    }
  }

  private final ManualClock clock = new ManualClock();
  private final PrintTickets tickets = new PrintTickets(clock, PrintTickets.DEFAULT_TTL);

  @Test
  void aTicketGrantsItsUserAndRoleOnce() {
    String t = tickets.issue("alice", Role.READER, TARGET);
    assertThat(t).matches("[A-Za-z0-9_-]{43}");
    PrintTickets.Grant g = tickets.consume(t, TARGET).orElseThrow();
    assertThat(g.user()).isEqualTo("alice");
    assertThat(g.role()).isEqualTo(Role.READER);
    assertThat(g.target()).isEqualTo(TARGET);
    assertThat(tickets.consume(t, TARGET)).isEmpty();
  }

  @Test
  void finishingAnExportReturnsTheSessionItsTicketOpenedOnce() {
    String t = tickets.issue("alice", Role.READER, TARGET);
    PrintTickets.Grant g = tickets.consume(t, TARGET).orElseThrow();
    assertThat(tickets.attach(g, "session-token")).isTrue();
    assertThat(tickets.finish(t)).hasValue("session-token");
    assertThat(tickets.finish(t)).isEmpty();
    assertThat(tickets.sessionTtl()).isEqualTo(PrintTickets.DEFAULT_TTL);
  }

  @Test
  void aSessionOpenedAfterItsExportFinishedIsNotAttached() {
    String t = tickets.issue("alice", Role.READER, TARGET);
    PrintTickets.Grant g = tickets.consume(t, TARGET).orElseThrow();
    assertThat(tickets.finish(t)).isEmpty();
    assertThat(tickets.attach(g, "late-token")).isFalse();
  }

  @Test
  void aFinishedExportsUnusedTicketCannotBeUsed() {
    String t = tickets.issue("alice", Role.READER, TARGET);
    assertThat(tickets.finish(t)).isEmpty();
    assertThat(tickets.consume(t, TARGET)).isEmpty();
  }

  @Test
  void aTicketExpiresAfterItsTtl() {
    String t = tickets.issue("alice", Role.ADMIN, TARGET);
    clock.advance(Duration.ofSeconds(60));
    assertThat(tickets.consume(t, TARGET)).isEmpty();
    String fresh = tickets.issue("alice", Role.ADMIN, TARGET);
    clock.advance(Duration.ofSeconds(59));
    assertThat(tickets.consume(fresh, TARGET)).isPresent();
  }

  @Test
  void aTicketShownWithAnotherTargetIsRefusedAndBurnt() {
    String t = tickets.issue("alice", Role.AUTHOR, TARGET);
    assertThat(tickets.consume(t, "/dashboards/other?print=1")).isEmpty();
    assertThat(tickets.consume(t, TARGET)).isEmpty();
  }

  @Test
  void unknownOrMalformedTicketsAreRefused() {
    tickets.issue("alice", Role.AUTHOR, TARGET);
    assertThat(tickets.consume(null, TARGET)).isEmpty();
    assertThat(tickets.consume("", TARGET)).isEmpty();
    assertThat(tickets.consume("x".repeat(43), TARGET)).isEmpty();
    assertThat(tickets.consume("x".repeat(500), TARGET)).isEmpty();
  }

  @Test
  void onlyDashboardPathsAreTargets() {
    assertThat(PrintTickets.validTarget("/dashboards/sales")).isTrue();
    assertThat(PrintTickets.validTarget(TARGET)).isTrue();
    assertThat(PrintTickets.validTarget("/dashboards/")).isFalse();
    assertThat(PrintTickets.validTarget("/sql")).isFalse();
    assertThat(PrintTickets.validTarget("//evil.example/dashboards/x")).isFalse();
    assertThat(PrintTickets.validTarget("https://evil.example/")).isFalse();
    assertThat(PrintTickets.validTarget("/dashboards//evil.example")).isFalse();
    assertThat(PrintTickets.validTarget("/dashboards/../sql")).isFalse();
    assertThat(PrintTickets.validTarget("/dashboards/x\r\nSet-Cookie: a=b")).isFalse();
    assertThat(PrintTickets.validTarget("/dashboards/x\"><script>")).isFalse();
    assertThat(PrintTickets.validTarget(null)).isFalse();
    assertThatThrownBy(() -> tickets.issue("alice", Role.ADMIN, "/sql"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/sql");
    assertThatThrownBy(() -> tickets.issue(" ", Role.ADMIN, TARGET))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
