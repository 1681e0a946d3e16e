package dev.basin.stream.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.common.error.BasinException;
import dev.basin.common.error.CommonErrorCode;
import dev.basin.common.json.Json;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TemplateTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2024-03-05T14:07:09.123Z"), ZoneOffset.UTC);

  /** The sensor template of KDG's help page, written out as users paste it. */
  private static final String KDG_SENSOR_TEMPLATE =
      """
      {
          "sensorId": {{random.number(50)}},
          "currentTemperature": {{random.number(
              {
                  "min":10,
                  "max":150
              }
          )}},
          "status": "{{random.arrayElement(
              ["OK","FAIL","WARN"]
          )}}"
      }
      """;

  /**
   * Seed 003's employee stream (department, skills, age vs salary) as a KDG template, with the
   * helpers such templates typically use.
   */
  private static final String EMPLOYEE_TEMPLATE =
      """
      {
        "employee_id": "{{random.uuid}}",
        "first_name": "{{name.firstName}}",
        "last_name": "{{name.lastName}}",
        "email": "{{internet.email}}",
        "department": "{{random.arrayElement(["Engineering","Sales","Marketing","HR","Finance"])}}",
        "job_title": "{{name.jobTitle}}",
        "skills": "{{random.arrayElements(["Python","SQL","Spark","AWS","Tableau"], 2)}}",
        "level": "{{random.weightedArrayElement({"weights":[50,30,20],"data":["junior","mid","senior"]})}}",
        "age": {{random.number({"min":21,"max":65})}},
        "salary": {{random.number({"min":40000,"max":180000})}},
        "bonus": {{finance.amount(0, 5000, 2)}},
        "remote": {{random.boolean}},
        "city": "{{address.city}}",
        "state": "{{address.stateAbbr}}",
        "lat": {{address.latitude}},
        "lon": {{address.longitude}},
        "ip": "{{internet.ip}}",
        "hired_at": "{{date.past(10)}}",
        "event_time": "{{date.now("YYYY-MM-DD HH:mm:ss")}}",
        "event_ts": {{date.now("x")}}
      }
      """;

  private static RenderContext ctx(long seed) {
    return RenderContext.seeded(seed, CLOCK);
  }

  @Test
  void rendersLiteralsAndHelpers() {
    Template t = Template.parse("Hello {{ name.firstName }}, you are {{random.number(0)}}!");
    assertThat(t.render(ctx(1))).matches("Hello [A-Z][\\p{L}' .-]+, you are 0!");
    assertThat(t.helpers()).containsExactly("name.firstName", "random.number");
  }

  @Test
  void kdgSensorTemplateRendersOneJsonLinePerRecord() throws Exception {
    Template t = Template.parse(KDG_SENSOR_TEMPLATE);
    RenderContext c = ctx(7);
    for (int i = 0; i < 200; i++) {
      String record = t.render(c);
      assertThat(record).doesNotContain("\n").startsWith("{").endsWith("}");
      JsonNode node = Json.mapper().readTree(record);
      assertThat(node.get("sensorId").asInt()).isBetween(0, 50);
      assertThat(node.get("currentTemperature").asInt()).isBetween(10, 150);
      assertThat(node.get("status").asText()).isIn("OK", "FAIL", "WARN");
    }
  }

  @Test
  void seedEmployeeTemplateRendersValidJson() throws Exception {
    Template t = Template.parse(EMPLOYEE_TEMPLATE);
    RenderContext c = ctx(3);
    for (int i = 0; i < 500; i++) {
      String record = t.render(c);
      JsonNode node = Json.mapper().readTree(record);
      assertThat(node.size()).isEqualTo(20);
      assertThat(node.get("employee_id").asText())
          .matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
      assertThat(node.get("email").asText()).matches("[^@\\s]+@[a-z]+\\.com");
      assertThat(node.get("department").asText())
          .isIn("Engineering", "Sales", "Marketing", "HR", "Finance");
      assertThat(node.get("skills").asText().split(",")).hasSize(2).doesNotHaveDuplicates();
      assertThat(node.get("level").asText()).isIn("junior", "mid", "senior");
      assertThat(node.get("age").isInt()).isTrue();
      assertThat(node.get("age").asInt()).isBetween(21, 65);
      assertThat(node.get("salary").asInt()).isBetween(40000, 180000);
      assertThat(node.get("bonus").decimalValue().doubleValue()).isBetween(0.0, 5000.0);
      assertThat(node.get("remote").isBoolean()).isTrue();
      assertThat(node.get("state").asText()).matches("[A-Z]{2}");
      assertThat(node.get("lat").asDouble()).isBetween(-90.0, 90.0);
      assertThat(node.get("lon").asDouble()).isBetween(-180.0, 180.0);
      assertThat(Instant.parse(node.get("hired_at").asText()))
          .isBetween(Instant.parse("2014-03-01T00:00:00Z"), CLOCK.instant());
      assertThat(node.get("event_time").asText()).isEqualTo("2024-03-05 14:07:09");
      assertThat(node.get("event_ts").asLong()).isEqualTo(CLOCK.millis());
    }
  }

  @Test
  void sameSeedRendersByteIdenticalRecords() {
    Template t = Template.parse(EMPLOYEE_TEMPLATE);
    RenderContext a = ctx(42);
    RenderContext b = ctx(42);
    RenderContext other = ctx(43);
    List<String> first = new ArrayList<>();
    List<String> second = new ArrayList<>();
    List<String> third = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      first.add(t.render(a));
      second.add(t.render(b));
      third.add(t.render(other));
    }
    assertThat(second).isEqualTo(first);
    assertThat(third).isNotEqualTo(first);
  }

  @Test
  void parseDropsLineBreaksLikeKdgButVerbatimKeepsThem() {
    String text = "  {\n  \"a\": {{random.number(0)}}\r\n}\n";
    assertThat(Template.parse(text).render(ctx(1))).isEqualTo("{  \"a\": 0}");
    assertThat(Template.parseVerbatim(text).render(ctx(1)))
        .isEqualTo(text.replace("{{random.number(0)}}", "0"));
  }

  @Test
  void literalBracesThatAreNotPlaceholdersStay() {
    Template t = Template.parse("{\"a\": {\"b\": 1}} }} { {{random.number(0)}}}");
    assertThat(t.render(ctx(1))).isEqualTo("{\"a\": {\"b\": 1}} }} { 0}");
  }

  @Test
  void argumentsMaySpanLinesAndUseLenientJson() {
    Template t =
        Template.parse(
            "{{random.arrayElement(['a',\n 'b',])}}|{{random.number({min: 5, max: 5,})}}"
                + "|{{random.objectElement({x: 'one'})}}|{{random.arrayElement([[1,2],{\"k\":true}])}}");
    RenderContext c = ctx(1);
    for (int i = 0; i < 50; i++) {
      String[] parts = t.render(c).split("\\|");
      assertThat(parts[0]).isIn("a", "b");
      assertThat(parts[1]).isEqualTo("5");
      assertThat(parts[2]).isEqualTo("one");
      assertThat(parts[3]).isIn("[1,2]", "{\"k\":true}");
    }
  }

  @Test
  void placeholderClosingBracesInsideArgumentsDoNotEndIt() {
    Template t = Template.parse("{{random.objectElement({\"a\": {\"b\": \"}}\"}})}}");
    assertThat(t.render(ctx(1))).isEqualTo("{\"b\":\"}}\"}");
  }

  @Test
  void unquotedTextArgumentIsAcceptedForFormatHelpersAsKdgDoes() {
    Template t = Template.parse("{{date.now(YYYY-MM-DD)}} {{phone.phoneNumber(###-####)}}");
    assertThat(t.render(ctx(1))).matches("2024-03-05 \\d{3}-\\d{4}");
  }

  @Test
  void currentTimestampIsKdgsOldNameForDateNow() {
    assertThat(Template.parse("{{current.timestamp}}").render(ctx(1)))
        .isEqualTo("2024-03-05T14:07:09+00:00");
  }

  @Test
  void dateNowUsesTheClocksZoneAndDateUtcUsesUtc() {
    RenderContext chicago = RenderContext.seeded(1, CLOCK.withZone(ZoneId.of("America/Chicago")));
    assertThat(
            Template.parse("{{date.now}} {{date.utc}} {{date.now(\"hh:mm A Z\")}}").render(chicago))
        .isEqualTo("2024-03-05T08:07:09-06:00 2024-03-05T14:07:09Z 08:07 AM -06:00");
  }

  @Test
  void unknownHelperNamesPositionAndCloseMatch() {
    assertInvalid("{\"id\": {{random.numbr}}}")
        .isEqualTo("unknown helper 'random.numbr' at 1:10; did you mean random.number?");
    assertInvalid("{\n  \"name\": \"{{ name.frstName }}\"\n}")
        .isEqualTo("unknown helper 'name.frstName' at 2:15; did you mean name.firstName?");
    assertInvalid("{{name.firstname}}")
        .startsWith("unknown helper 'name.firstname' at 1:3; did you mean name.firstName");
    assertInvalid("{{foo.bar}}")
        .isEqualTo(
            "unknown helper 'foo.bar' at 1:3; run with --list-helpers to see the supported helpers");
  }

  @Test
  void fakerPrefixIsRejectedAsKdgDoesWithTheFix() {
    assertInvalid("{{faker.name.firstName}}")
        .isEqualTo(
            "unknown helper 'faker.name.firstName' at 1:3; KDG templates name helpers without the"
                + " 'faker.' prefix; did you mean name.firstName?");
  }

  @Test
  void unclosedAndMalformedPlaceholdersFail() {
    assertInvalid("{\"a\": {{name.firstName}")
        .isEqualTo("unclosed '{{' at 1:7: no matching '}}' follows");
    assertInvalid("ok\n  {{ random.number(")
        .isEqualTo("unclosed '{{' at 2:3: no matching '}}' follows");
    assertInvalid("{{}}").isEqualTo("empty placeholder '{{}}' at 1:1");
    assertInvalid("{{ 42 }}")
        .isEqualTo(
            "malformed placeholder at 1:4: expected a helper name such as name.firstName after"
                + " '{{' but found '4'");
    assertInvalid("{{random.number x}}")
        .startsWith(
            "malformed placeholder at 1:17: expected '}}' after random.number but found 'x'");
  }

  @Test
  void badArgumentsFailAtParseTime() {
    assertInvalid("{{random.arrayElement([\"a\", \"b\")}}")
        .startsWith(
            "invalid arguments for random.arrayElement at 1:32: expected ',' or ']' but found ')'");
    assertInvalid("{{random.arrayElement(['a' 'b'])}}")
        .startsWith("invalid arguments for random.arrayElement at 1:28: expected ',' or ']'");
    assertInvalid("{{random.number(ten)}}")
        .startsWith(
            "invalid arguments for random.number at 1:17: unexpected 'ten'; put text arguments"
                + " in quotes");
    assertInvalid("{{random.number(\"ten\")}}")
        .contains("random.number expects a max number like 50");
    assertInvalid("{{random.number({\"min\": 10, \"max\": 5})}}")
        .contains("min 10 is greater than max 5");
    assertInvalid("{{random.number({\"mni\": 10})}}")
        .contains("unknown option 'mni'; expected max, min, precision");
    assertInvalid("{{random.number(1, 10)}}").contains("takes at most 1 argument, got 2");
    assertInvalid("{{random.arrayElement([])}}").contains("needs a non-empty array");
    assertInvalid("{{random.weightedArrayElement({\"weights\": [1], \"data\": [\"a\", \"b\"]})}}")
        .contains("weights has 1 entries but data has 2");
    assertInvalid(
            "{{random.weightedArrayElement({\"weights\": [0, 0], \"data\": [\"a\", \"b\"]})}}")
        .contains("weights must not all be 0");
    assertInvalid("{{date.between(\"2024-02-01\", \"2024-01-01\")}}").contains("is after to");
    assertInvalid("{{date.between(\"yesterday\", \"2024-01-01\")}}")
        .contains("from must be a date like");
    assertInvalid("{{name.jobTitle(1)}}").contains("name.jobTitle takes no arguments, got 1");
    assertInvalid("{{random.alphaNumeric(0)}}")
        .contains("first argument must be between 1 and 1000000, got 0");
  }

  @Test
  void parseErrorsAreInvalidArgument() {
    assertThatThrownBy(() -> Template.parse("{{nope}}"))
        .isInstanceOfSatisfying(
            BasinException.class,
            e -> assertThat(e.code()).isEqualTo(CommonErrorCode.INVALID_ARGUMENT));
  }

  @Test
  void supportedListsEveryHelperWithADescription() {
    List<HelperInfo> all = Template.supported();
    assertThat(all).extracting(HelperInfo::name).doesNotHaveDuplicates();
    assertThat(all)
        .extracting(HelperInfo::name)
        .contains(
            "random.number",
            "random.arrayElement",
            "random.arrayElements",
            "random.weightedArrayElement",
            "random.objectElement",
            "random.uuid",
            "random.boolean",
            "random.word",
            "random.words",
            "random.alphaNumeric",
            "date.now",
            "date.past",
            "date.future",
            "date.recent",
            "date.between",
            "date.weekday",
            "date.month",
            "name.firstName",
            "name.lastName",
            "name.findName",
            "name.jobTitle",
            "name.prefix",
            "address.city",
            "address.country",
            "address.countryCode",
            "address.state",
            "address.stateAbbr",
            "address.zipCode",
            "address.streetAddress",
            "address.latitude",
            "address.longitude",
            "internet.email",
            "internet.userName",
            "internet.ip",
            "internet.url",
            "internet.domainName",
            "internet.userAgent",
            "commerce.productName",
            "commerce.price",
            "commerce.department",
            "commerce.product",
            "commerce.color",
            "company.companyName",
            "company.bs",
            "lorem.word",
            "lorem.words",
            "lorem.sentence",
            "lorem.paragraph",
            "phone.phoneNumber",
            "finance.amount",
            "finance.account",
            "finance.currencyCode",
            "hacker.noun",
            "system.fileName");
    assertThat(all).allSatisfy(h -> assertThat(h.description()).isNotBlank());
    assertThat(Template.supportedListing().lines().count()).isEqualTo(all.size());
    assertThat(Template.supportedListing())
        .contains("random.number([max | {min, max, precision}])");
  }

  @Test
  void templateIsSafeToShareBetweenThreadsWithOwnContexts() throws Exception {
    Template t = Template.parse(EMPLOYEE_TEMPLATE);
    List<String> expected = new ArrayList<>();
    RenderContext c = ctx(5);
    for (int i = 0; i < 200; i++) {
      expected.add(t.render(c));
    }
    List<Thread> threads = new ArrayList<>();
    List<List<String>> results = new ArrayList<>();
    for (int k = 0; k < 4; k++) {
      List<String> out = new ArrayList<>();
      results.add(out);
      threads.add(
          new Thread(
              () -> {
                RenderContext own = ctx(5);
                for (int i = 0; i < 200; i++) {
                  out.add(t.render(own));
                }
              }));
    }
    threads.forEach(Thread::start);
    for (Thread th : threads) {
      th.join();
    }
    assertThat(results).allSatisfy(r -> assertThat(r).isEqualTo(expected));
    assertThat(Set.copyOf(expected)).hasSizeGreaterThan(190);
  }

  private static org.assertj.core.api.AbstractStringAssert<?> assertInvalid(String template) {
    try {
      Template.parse(template);
    } catch (BasinException e) {
      assertThat(e.code()).isEqualTo(CommonErrorCode.INVALID_ARGUMENT);
      return assertThat(e.getMessage());
    }
    throw new AssertionError("expected a parse error for " + template);
  }
}
