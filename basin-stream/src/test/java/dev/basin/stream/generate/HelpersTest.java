package dev.basin.stream.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HelpersTest {
  private static final Instant NOW = Instant.parse("2024-03-05T14:07:09.123Z");
  private static final int N = 2000;

  private final RenderContext ctx = RenderContext.seeded(11, Clock.fixed(NOW, ZoneOffset.UTC));

  private List<String> samples(String template, int n) {
    Template t = Template.parse(template);
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(t.render(ctx));
    }
    return out;
  }

  private List<String> samples(String template) {
    return samples(template, N);
  }

  @Test
  void randomNumberDefaultsToZeroTo99999() {
    assertThat(samples("{{random.number}}"))
        .allSatisfy(s -> assertThat(Long.parseLong(s)).isBetween(0L, 99999L));
  }

  @Test
  void randomNumberWithMaxIsInclusive() {
    List<String> values = samples("{{random.number(10)}}");
    assertThat(values).allSatisfy(s -> assertThat(Integer.parseInt(s)).isBetween(0, 10));
    assertThat(Set.copyOf(values)).hasSize(11);
  }

  @Test
  void randomNumberWithMinMaxAndPrecision() {
    List<String> values = samples("{{random.number({\"min\": 10, \"max\": 150})}}");
    assertThat(values).allSatisfy(s -> assertThat(Integer.parseInt(s)).isBetween(10, 150));
    assertThat(values).contains("10", "150");

    assertThat(samples("{{random.number({min: -5, max: -1})}}"))
        .allSatisfy(s -> assertThat(Integer.parseInt(s)).isBetween(-5, -1));

    List<String> cents = samples("{{random.number({min: 1, max: 2, precision: 0.01})}}");
    assertThat(cents)
        .allSatisfy(
            s -> {
              BigDecimal v = new BigDecimal(s);
              assertThat(v).isBetween(BigDecimal.ONE, BigDecimal.valueOf(2));
              assertThat(v.scale()).isLessThanOrEqualTo(2);
            });
    assertThat(Set.copyOf(cents)).hasSizeGreaterThan(90);

    assertThat(samples("{{random.number({min: 0, max: 100, precision: 5})}}"))
        .allSatisfy(s -> assertThat(Integer.parseInt(s) % 5).isZero());
  }

  @Test
  void arrayElementPicksFromTheList() {
    List<String> values = samples("{{random.arrayElement([\"OK\", \"FAIL\", 3, 4.5, true])}}");
    assertThat(Set.copyOf(values)).containsExactlyInAnyOrder("OK", "FAIL", "3", "4.5", "true");
    assertThat(Set.copyOf(samples("{{helpers.randomize(['x', 'y'])}}")))
        .containsExactlyInAnyOrder("x", "y");
  }

  @Test
  void arrayElementsPicksDistinctElements() {
    for (String s : samples("{{random.arrayElements([\"a\",\"b\",\"c\",\"d\"])}}")) {
      String[] parts = s.split(",");
      assertThat(parts).hasSizeBetween(1, 4).doesNotHaveDuplicates();
      assertThat(Set.of(parts)).isSubsetOf("a", "b", "c", "d");
    }
    assertThat(samples("{{random.arrayElements([\"a\",\"b\",\"c\",\"d\"], 3)}}"))
        .allSatisfy(s -> assertThat(s.split(",")).hasSize(3).doesNotHaveDuplicates());
  }

  @Test
  void weightedArrayElementFollowsTheWeights() {
    assertFrequencies(
        samples(
            "{{random.weightedArrayElement({\"weights\":[0.3,0.2,0.5],\"data\":[\"cat\",\"fish\",\"dog\"]})}}",
            20_000),
        Map.of("cat", 0.3, "fish", 0.2, "dog", 0.5));
  }

  @Test
  void weightedArrayElementAcceptsPercentagesAndSkipsZeroWeights() {
    assertFrequencies(
        samples(
            "{{random.weightedArrayElement({weights: [70, 0, 30], data: ['a', 'never', 'b']})}}",
            20_000),
        Map.of("a", 0.7, "b", 0.3));
  }

  private static void assertFrequencies(List<String> values, Map<String, Double> expected) {
    Map<String, Integer> counts = new HashMap<>();
    values.forEach(v -> counts.merge(v, 1, Integer::sum));
    assertThat(counts.keySet()).isEqualTo(expected.keySet());
    expected.forEach(
        (k, p) -> assertThat(counts.get(k) / (double) values.size()).isCloseTo(p, within(0.02)));
  }

  @Test
  void objectElementPicksValuesOrKeys() {
    assertThat(Set.copyOf(samples("{{random.objectElement({\"a\": 1, \"b\": \"two\"})}}")))
        .containsExactlyInAnyOrder("1", "two");
    assertThat(Set.copyOf(samples("{{random.objectElement({\"a\": 1, \"b\": \"two\"}, \"key\")}}")))
        .containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void uuidBooleanWordsAndAlphaNumeric() {
    List<String> uuids = samples("{{random.uuid}}");
    assertThat(uuids)
        .allSatisfy(
            u ->
                assertThat(u)
                    .matches(
                        "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
    assertThat(Set.copyOf(uuids)).hasSize(N);
    assertThat(Set.copyOf(samples("{{random.boolean}}")))
        .containsExactlyInAnyOrder("true", "false");
    assertThat(samples("{{random.word}}")).allSatisfy(w -> assertThat(w).isNotBlank());
    assertThat(samples("{{random.words(4)}}"))
        .allSatisfy(w -> assertThat(w.split(" ")).hasSizeGreaterThanOrEqualTo(4));
    assertThat(samples("{{random.alphaNumeric(12)}}"))
        .allSatisfy(s -> assertThat(s).matches("[0-9a-z]{12}"));
    assertThat(samples("{{random.alphaNumeric}}"))
        .allSatisfy(s -> assertThat(s).matches("[0-9a-z]"));
  }

  @Test
  void dateHelpersAreRelativeToTheContextClock() {
    assertThat(samples("{{date.past}}"))
        .allSatisfy(
            s ->
                assertThat(Instant.parse(s))
                    .isBetween(NOW.minusSeconds(365L * 86400), NOW.minusSeconds(1)));
    assertThat(samples("{{date.past(2, \"2020-01-01\")}}"))
        .allSatisfy(
            s ->
                assertThat(Instant.parse(s))
                    .isBetween(
                        Instant.parse("2018-01-01T00:00:00Z"),
                        Instant.parse("2020-01-01T00:00:00Z")));
    assertThat(samples("{{date.future}}"))
        .allSatisfy(
            s ->
                assertThat(Instant.parse(s))
                    .isBetween(NOW.plusSeconds(1), NOW.plusSeconds(365L * 86400)));
    assertThat(samples("{{date.recent(2)}}"))
        .allSatisfy(
            s ->
                assertThat(Instant.parse(s))
                    .isBetween(NOW.minusSeconds(2 * 86400), NOW.minusSeconds(1)));
    assertThat(samples("{{date.between(\"2024-01-01\", \"2024-01-31T12:00:00Z\")}}"))
        .allSatisfy(
            s ->
                assertThat(s)
                    .matches("2024-01-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z")
                    .satisfies(
                        v ->
                            assertThat(Instant.parse(v))
                                .isBetween(
                                    Instant.parse("2024-01-01T00:00:00Z"),
                                    Instant.parse("2024-01-31T12:00:00Z"))));
    assertThat(Set.copyOf(samples("{{date.weekday}}")))
        .containsExactlyInAnyOrder(
            "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday");
    assertThat(Set.copyOf(samples("{{date.weekday({abbr: true})}}")))
        .contains("Mon", "Sun")
        .hasSize(7);
    assertThat(Set.copyOf(samples("{{date.month}}"))).contains("January", "December").hasSize(12);
    assertThat(Set.copyOf(samples("{{date.month({\"abbr\": true})}}")))
        .contains("Jan", "Dec")
        .hasSize(12);
  }

  @Test
  void dateNowFormats() {
    assertThat(
            samples(
                "{{date.now(\"YYYY-MM-DD HH:mm:ss.SSS\")}}|{{date.now(\"x\")}}|{{date.now(\"X\")}}|{{date.now('hh A')}}",
                1))
        .containsExactly("2024-03-05 14:07:09.123|1709647629123|1709647629|02 PM");
  }

  @Test
  void namesAndAddresses() {
    assertThat(samples("{{name.firstName}}"))
        .allSatisfy(s -> assertThat(s).matches("[A-Z][\\p{L}'-]+"));
    assertThat(samples("{{name.lastName}}"))
        .allSatisfy(s -> assertThat(s).matches("[A-Z][\\p{L}' -]+"));
    List<String> full = samples("{{name.findName}}");
    assertThat(full).allSatisfy(s -> assertThat(s.split(" ").length).isBetween(2, 4));
    assertThat(full).anySatisfy(s -> assertThat(s.split(" ")).hasSize(3));
    assertThat(samples("{{name.prefix}}"))
        .allSatisfy(s -> assertThat(s).matches("[A-Z][a-z]+\\.?"));
    assertThat(samples("{{name.jobTitle}}")).allSatisfy(s -> assertThat(s).contains(" "));
    assertThat(samples("{{address.city}}")).allSatisfy(s -> assertThat(s).isNotBlank());
    assertThat(samples("{{address.country}}")).allSatisfy(s -> assertThat(s).isNotBlank());
    assertThat(samples("{{address.countryCode}}"))
        .allSatisfy(s -> assertThat(s).matches("[A-Z]{2}"));
    assertThat(samples("{{address.state}}"))
        .allSatisfy(s -> assertThat(s).matches("[A-Z][a-z]+( [A-Z][a-z]+)*"));
    assertThat(samples("{{address.stateAbbr}}")).allSatisfy(s -> assertThat(s).matches("[A-Z]{2}"));
    assertThat(samples("{{address.zipCode}}"))
        .allSatisfy(s -> assertThat(s).matches("\\d{5}(-\\d{4})?"));
    assertThat(samples("{{address.zipCode(\"??-###\")}}"))
        .allSatisfy(s -> assertThat(s).matches("[A-Z]{2}-\\d{3}"));
    assertThat(samples("{{address.streetAddress}}"))
        .allSatisfy(s -> assertThat(s).matches("\\d+ .+"));
    assertThat(samples("{{address.latitude}}"))
        .allSatisfy(
            s -> {
              assertThat(s).matches("-?\\d{1,2}\\.\\d{4}");
              assertThat(Double.parseDouble(s)).isBetween(-90.0, 90.0);
            });
    assertThat(samples("{{address.longitude}}"))
        .allSatisfy(
            s -> {
              assertThat(s).matches("-?\\d{1,3}\\.\\d{4}");
              assertThat(Double.parseDouble(s)).isBetween(-180.0, 180.0);
            });
  }

  @Test
  void internet() {
    assertThat(samples("{{internet.email}}"))
        .allSatisfy(s -> assertThat(s).matches("[\\p{L}._\\d-]+@(gmail|yahoo|hotmail)\\.com"));
    assertThat(samples("{{internet.userName}}"))
        .allSatisfy(s -> assertThat(s).matches("[\\p{L}._\\d-]+"));
    assertThat(samples("{{internet.ip}}"))
        .allSatisfy(
            s -> {
              String[] octets = s.split("\\.");
              assertThat(octets).hasSize(4);
              for (String o : octets) {
                assertThat(Integer.parseInt(o)).isBetween(0, 255);
              }
            });
    assertThat(samples("{{internet.url}}"))
        .allSatisfy(s -> assertThat(s).matches("https?://[a-z0-9.-]+\\.[a-z]+"));
    assertThat(samples("{{internet.domainName}}"))
        .allSatisfy(s -> assertThat(s).matches("[a-z0-9.-]+\\.[a-z]+"));
    assertThat(samples("{{internet.userAgent}}")).allSatisfy(s -> assertThat(s).isNotBlank());
    assertThat(samples("{{internet.color}}"))
        .allSatisfy(s -> assertThat(s).matches("#[0-9a-f]{6}"));
  }

  @Test
  void commerceCompanyLoremPhoneFinanceHackerSystem() {
    assertThat(samples("{{commerce.productName}}"))
        .allSatisfy(s -> assertThat(s.split(" ").length).isGreaterThanOrEqualTo(2));
    assertThat(samples("{{commerce.price}}"))
        .allSatisfy(
            s -> {
              assertThat(s).matches("\\d+\\.\\d{2}");
              assertThat(Double.parseDouble(s)).isBetween(0.0, 1000.0);
            });
    assertThat(samples("{{commerce.price(5, 20, 0, \"$\")}}"))
        .allSatisfy(
            s -> {
              assertThat(s).matches("\\$\\d+");
              assertThat(Integer.parseInt(s.substring(1))).isBetween(5, 20);
            });
    assertThat(samples("{{commerce.department}}")).allSatisfy(s -> assertThat(s).isNotBlank());
    assertThat(samples("{{commerce.product}}"))
        .allSatisfy(s -> assertThat(s).matches("[A-Z][a-z]+"));
    assertThat(samples("{{commerce.color}}")).allSatisfy(s -> assertThat(s).matches("[a-z ]+"));
    assertThat(samples("{{company.companyName}}")).allSatisfy(s -> assertThat(s).isNotBlank());
    assertThat(samples("{{company.bs}}"))
        .allSatisfy(s -> assertThat(s.split(" ").length).isGreaterThanOrEqualTo(3));
    assertThat(samples("{{lorem.word}}")).allSatisfy(s -> assertThat(s).matches("[a-z]+"));
    assertThat(samples("{{lorem.words}}")).allSatisfy(s -> assertThat(s.split(" ")).hasSize(3));
    assertThat(samples("{{lorem.words(5)}}")).allSatisfy(s -> assertThat(s.split(" ")).hasSize(5));
    assertThat(samples("{{lorem.sentence}}"))
        .allSatisfy(s -> assertThat(s).matches("[A-Z][a-z ]+\\."));
    assertThat(samples("{{lorem.sentence(4)}}"))
        .allSatisfy(s -> assertThat(s.split(" ")).hasSize(4));
    assertThat(samples("{{lorem.paragraph}}", 200))
        .allSatisfy(s -> assertThat(s.split("\\. ").length).isBetween(3, 6));
    assertThat(samples("{{phone.phoneNumber}}"))
        .allSatisfy(s -> assertThat(s.replaceAll("\\D", "")).hasSizeBetween(10, 11));
    assertThat(samples("{{finance.amount}}"))
        .allSatisfy(s -> assertThat(s).matches("\\d+\\.\\d{2}"));
    assertThat(samples("{{finance.amount(100, 200, 3)}}"))
        .allSatisfy(s -> assertThat(Double.parseDouble(s)).isBetween(100.0, 200.0));
    assertThat(samples("{{finance.account}}")).allSatisfy(s -> assertThat(s).matches("\\d{8}"));
    assertThat(samples("{{finance.account(12)}}"))
        .allSatisfy(s -> assertThat(s).matches("\\d{12}"));
    assertThat(samples("{{finance.currencyCode}}"))
        .allSatisfy(s -> assertThat(s).matches("[A-Z]{3}"));
    assertThat(samples("{{hacker.noun}}")).allSatisfy(s -> assertThat(s).matches("[a-z ]+"));
    assertThat(samples("{{system.fileName}}"))
        .allSatisfy(s -> assertThat(s).matches("[a-z_]+\\.[a-z0-9]+"));
  }

  @Test
  void everySupportedHelperRenders() {
    Map<String, String> args =
        Map.of(
            "random.arrayElement", "([1, 2])",
            "random.arrayElements", "([1, 2])",
            "random.weightedArrayElement", "({weights: [1], data: ['a']})",
            "random.objectElement", "({a: 1})",
            "date.between", "('2024-01-01', '2024-02-01')",
            "helpers.randomize", "(['a'])",
            "helpers.replaceSymbolWithNumber", "('##')",
            "helpers.replaceSymbols", "('?#')");
    Set<String> seen = new HashSet<>();
    for (HelperInfo h : Template.supported()) {
      Template t = Template.parse("{{" + h.name() + args.getOrDefault(h.name(), "") + "}}");
      for (int i = 0; i < 20; i++) {
        String out = t.render(ctx);
        assertThat(out).as(h.name()).isNotBlank().doesNotContain("{{", "#{");
      }
      seen.add(h.name());
    }
    assertThat(seen).hasSizeGreaterThan(80);
  }
}
