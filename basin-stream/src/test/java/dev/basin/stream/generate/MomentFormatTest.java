package dev.basin.stream.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MomentFormatTest {
  // Sunday, 14 February 2010, 15:25:50.123 at UTC-8: the moment.js documentation's example date
  private static final ZonedDateTime T =
      ZonedDateTime.of(2010, 2, 14, 15, 25, 50, 123_456_789, ZoneId.of("America/Los_Angeles"));

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "dddd, MMMM Do YYYY, h:mm:ss a | Sunday, February 14th 2010, 3:25:50 pm",
        "ddd, hA | Sun, 3PM",
        "DD/MMM/YYYY:HH:mm:ss Z | 14/Feb/2010:15:25:50 -08:00",
        "YYYY-MM-DD HH:mm:ss.SSS | 2010-02-14 15:25:50.123",
        "YYYY-MM-DDTHH:mm:ssZZ | 2010-02-14T15:25:50-0800",
        "x | 1266189950123",
        "X | 1266189950",
        "YY M D H m s | 10 2 14 15 25 50",
        "hh:mm A | 03:25 PM",
        "k kk | 15 15",
        "[Today is] dddd | Today is Sunday",
        "Q Qo DDD DDDD DDDo | 1 1st 45 045 45th",
        "d do dd e E | 0 0th Su 0 7",
        "W WW GGGG w ww gggg | 6 06 2010 8 08 2010",
        "S SS SSSSSS SSSSSSSSS | 1 12 123456 123456789",
        "Mo MMMM | 2nd February",
        "LT LTS | 3:25 PM 3:25:50 PM",
        "L LL | 02/14/2010 February 14, 2010",
        "LLLL | Sunday, February 14, 2010 3:25 PM",
        "l ll | 2/14/2010 Feb 14, 2010",
        "\\Y\\Y YYYY | YY 2010",
        "!#@ | !#@"
      })
  void formatsLikeMoment(String pattern, String expected) {
    assertThat(MomentFormat.compile(pattern).format(T)).isEqualTo(expected);
  }

  @Test
  void defaultsMatchMomentFormat() {
    assertThat(MomentFormat.LOCAL_DEFAULT.format(T)).isEqualTo("2010-02-14T15:25:50-08:00");
    assertThat(MomentFormat.UTC_DEFAULT.format(T.withZoneSameInstant(ZoneOffset.UTC)))
        .isEqualTo("2010-02-14T23:25:50Z");
    assertThat(MomentFormat.LOCAL_DEFAULT.format(T.withZoneSameInstant(ZoneOffset.UTC)))
        .isEqualTo("2010-02-14T23:25:50+00:00");
  }

  @Test
  void ordinalsAndMidnight() {
    ZonedDateTime midnight = ZonedDateTime.of(2024, 3, 1, 0, 5, 0, 0, ZoneOffset.UTC);
    assertThat(MomentFormat.compile("h A k Do").format(midnight)).isEqualTo("12 AM 24 1st");
    assertThat(MomentFormat.compile("Do").format(midnight.withDayOfMonth(11))).isEqualTo("11th");
    assertThat(MomentFormat.compile("Do").format(midnight.withDayOfMonth(22))).isEqualTo("22nd");
    assertThat(MomentFormat.compile("Do").format(midnight.withDayOfMonth(23))).isEqualTo("23rd");
  }
}
