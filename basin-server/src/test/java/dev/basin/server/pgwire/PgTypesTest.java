package dev.basin.server.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.spi.sql.SqlType;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class PgTypesTest {

  @Test
  void floatsPrintLikePostgres() {
    assertThat(PgTypes.formatDouble(1.5)).isEqualTo("1.5");
    assertThat(PgTypes.formatDouble(1.0)).isEqualTo("1");
    assertThat(PgTypes.formatDouble(0.1)).isEqualTo("0.1");
    assertThat(PgTypes.formatDouble(1e20)).isEqualTo("1e+20");
    assertThat(PgTypes.formatDouble(1.5e-5)).isEqualTo("1.5e-05");
    assertThat(PgTypes.formatDouble(123456789012345.0)).isEqualTo("123456789012345");
    assertThat(PgTypes.formatDouble(1234567890123456.0)).isEqualTo("1.234567890123456e+15");
    assertThat(PgTypes.formatDouble(-0.0001)).isEqualTo("-0.0001");
    assertThat(PgTypes.formatDouble(Double.NaN)).isEqualTo("NaN");
    assertThat(PgTypes.formatDouble(Double.NEGATIVE_INFINITY)).isEqualTo("-Infinity");
    assertThat(PgTypes.formatFloat(0.1f)).isEqualTo("0.1");
    assertThat(PgTypes.formatFloat(1234567f)).isEqualTo("1.234567e+06");
  }

  @Test
  void datesAndTimestamps() {
    assertThat(PgTypes.formatDate(LocalDate.of(44, 3, 15))).isEqualTo("0044-03-15");
    assertThat(PgTypes.formatDate(LocalDate.of(-43, 3, 15))).isEqualTo("0044-03-15 BC");
    assertThat(PgTypes.formatTimestamp(LocalDateTime.of(2024, 1, 2, 3, 4, 5, 120_000_000)))
        .isEqualTo("2024-01-02 03:04:05.12");
    assertThat(
            PgTypes.text(
                OffsetDateTime.of(2024, 1, 2, 0, 30, 0, 0, ZoneOffset.ofHours(2)),
                PgType.TIMESTAMPTZ))
        .isEqualTo("2024-01-01 22:30:00+00");
    assertThat(PgTypes.parseTimestamptz("2024-01-02 03:04:05.5-05:30"))
        .isEqualTo(
            OffsetDateTime.of(
                2024, 1, 2, 3, 4, 5, 500_000_000, ZoneOffset.ofHoursMinutes(-5, -30)));
    assertThat(PgTypes.parseDate("0044-03-15 BC")).isEqualTo(LocalDate.of(-43, 3, 15));
  }

  @Test
  void numericBinaryRoundTrips() throws Exception {
    for (String v :
        new String[] {
          "0",
          "1",
          "-1",
          "12.345",
          "10000",
          "0.0001",
          "123456789.987654321",
          "-0.5",
          "1E+5",
          "100.00"
        }) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      PgWriter w = new PgWriter(out);
      w.begin('D');
      int at = w.reserveLength();
      PgTypes.numeric(w, new BigDecimal(v));
      w.patchLength(at);
      w.end();
      byte[] bytes = out.toByteArray();
      // type byte, message length, value length
      Object back = PgTypes.readNumeric(ByteBuffer.wrap(bytes, 9, bytes.length - 9).slice());
      BigDecimal expected = new BigDecimal(v);
      if (expected.scale() < 0) {
        expected = expected.setScale(0);
      }
      assertThat(back).as(v).isEqualTo(expected);
    }
  }

  @Test
  void pgjdbcUntypedDateAndTimestampParametersBecomeTemporals() {
    SqlType unknown = SqlType.of(SqlType.Kind.UNKNOWN, "UNKNOWN");
    assertThat(PgTypes.decodeParameter(bytes("2024-01-02 +01"), false, 0, unknown, 1))
        .isEqualTo(LocalDate.of(2024, 1, 2));
    assertThat(PgTypes.decodeParameter(bytes("2024-01-02 03:04:05.5+01"), false, 0, unknown, 1))
        .isEqualTo(LocalDateTime.of(2024, 1, 2, 3, 4, 5, 500_000_000));
    SqlType tz = SqlType.of(SqlType.Kind.TIMESTAMP_TZ, "TIMESTAMPTZ");
    assertThat(PgTypes.decodeParameter(bytes("2024-01-02 03:04:05+01"), false, 0, tz, 1))
        .isEqualTo(OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 0, ZoneOffset.ofHours(1)));
    SqlType integer = SqlType.of(SqlType.Kind.INTEGER, "INTEGER");
    assertThat(PgTypes.decodeParameter(bytes("42"), false, 0, integer, 1)).isEqualTo(42);
    assertThat(PgTypes.decodeParameter(bytes("plain"), false, 0, unknown, 1)).isEqualTo("plain");
    assertThat(PgTypes.decodeParameter(bytes("\\x00ff"), false, 17, unknown, 1))
        .isEqualTo(new byte[] {0, (byte) 0xff});
    assertThat(PgTypes.decodeParameter(null, false, 23, unknown, 1)).isNull();
  }

  @Test
  void badParametersSayWhichOneAndWhy() {
    SqlType unknown = SqlType.of(SqlType.Kind.UNKNOWN, "UNKNOWN");
    assertThatThrownBy(() -> PgTypes.decodeParameter(bytes("x1"), false, 20, unknown, 3))
        .isInstanceOfSatisfying(
            PgException.class,
            e -> {
              assertThat(e.sqlState()).isEqualTo("22P02");
              assertThat(e.getMessage()).contains("$3").contains("bigint").contains("x1");
            });
    assertThatThrownBy(() -> PgTypes.decodeParameter(new byte[3], true, 23, unknown, 2))
        .isInstanceOfSatisfying(
            PgException.class, e -> assertThat(e.sqlState()).isEqualTo("22P03"));
    assertThatThrownBy(() -> PgTypes.decodeParameter(new byte[4], true, 0, unknown, 1))
        .isInstanceOfSatisfying(
            PgException.class,
            e -> assertThat(e.getMessage()).contains("binary format").contains("unspecified"));
  }

  @Test
  void intervals() {
    assertThat(PgTypes.interval("1 year 2 months 3 days 04:05:06.789"))
        .containsExactly(14, 3, 14_706_789_000L);
    assertThat(PgTypes.interval("-1 day -02:00:00")).containsExactly(0, -1, -7_200_000_000L);
    assertThat(PgTypes.interval("36:00:00")).containsExactly(0, 0, 129_600_000_000L);
    assertThat(PgTypes.interval("00:00:00")).containsExactly(0, 0, 0);
  }

  @Test
  void catalogTypeNames() {
    assertThat(PgTypes.catalogType("DECIMAL(10,2)"))
        .isEqualTo(new PgTypes.CatalogType(PgType.NUMERIC, ((10 << 16) | 2) + 4, "numeric(10,2)"));
    assertThat(PgTypes.catalogType("TIMESTAMP WITH TIME ZONE").type())
        .isEqualTo(PgType.TIMESTAMPTZ);
    assertThat(PgTypes.catalogType("INTEGER[]").display()).isEqualTo("integer[]");
    assertThat(PgTypes.catalogType("VARCHAR").display()).isEqualTo("text");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
