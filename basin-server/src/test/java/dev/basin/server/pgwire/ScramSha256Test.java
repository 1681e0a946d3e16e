package dev.basin.server.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class ScramSha256Test {
  // RFC 7677, section 3
  static final byte[] SALT = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
  static final String SERVER_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
  static final String CLIENT_FIRST = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
  static final String CLIENT_FINAL =
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
          + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";

  @Test
  void rfc7677Example() {
    ScramSha256 scram = new ScramSha256("pencil", SALT, 4096, SERVER_NONCE);
    assertThat(scram.serverFirst(CLIENT_FIRST))
        .isEqualTo(
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
    assertThat(scram.serverFinal(CLIENT_FINAL))
        .isEqualTo("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
  }

  @Test
  void wrongPasswordFailsWith28P01() {
    ScramSha256 scram = new ScramSha256("not pencil", SALT, 4096, SERVER_NONCE);
    scram.serverFirst(CLIENT_FIRST);
    assertThatThrownBy(() -> scram.serverFinal(CLIENT_FINAL))
        .isInstanceOfSatisfying(
            PgException.class, e -> assertThat(e.sqlState()).isEqualTo("28P01"));
  }

  @Test
  void mockExchangeForUnknownUsersAlwaysFails() {
    ScramSha256 scram = new ScramSha256(null, SALT, 4096, SERVER_NONCE);
    scram.serverFirst(CLIENT_FIRST);
    assertThatThrownBy(() -> scram.serverFinal(CLIENT_FINAL))
        .isInstanceOfSatisfying(
            PgException.class, e -> assertThat(e.sqlState()).isEqualTo("28P01"));
  }

  @Test
  void freshSaltAndNoncePerExchange() {
    SecureRandom random = new SecureRandom();
    String a = new ScramSha256("x", random).serverFirst(CLIENT_FIRST);
    String b = new ScramSha256("x", random).serverFirst(CLIENT_FIRST);
    assertThat(a).startsWith("r=rOprNGfwEbeRWgbNEkqO").endsWith(",i=4096").isNotEqualTo(b);
  }

  @Test
  void malformedMessagesAreProtocolViolations() {
    for (String bad :
        new String[] {"p=tls-server-end-point,,n=,r=abc", "x,,n=,r=abc", "n,,n=", "n,"}) {
      ScramSha256 scram = new ScramSha256("pencil", SALT, 4096, SERVER_NONCE);
      assertThatThrownBy(() -> scram.serverFirst(bad))
          .as(bad)
          .isInstanceOfSatisfying(
              PgException.class, e -> assertThat(e.sqlState()).isEqualTo("08P01"));
    }
    ScramSha256 scram = new ScramSha256("pencil", SALT, 4096, SERVER_NONCE);
    scram.serverFirst(CLIENT_FIRST);
    for (String bad :
        new String[] {
          "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
          "c=eSws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=AAAA",
          "c=biws,r=other,p=AAAA",
          "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=***"
        }) {
      assertThatThrownBy(() -> scram.serverFinal(bad))
          .as(bad)
          .isInstanceOfSatisfying(
              PgException.class, e -> assertThat(e.sqlState()).isEqualTo("08P01"));
    }
  }
}
