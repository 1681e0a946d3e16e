package dev.basin.stream.generate;

import dev.basin.common.text.EditDistance;
import dev.basin.stream.generate.HelperArgs.Invalid;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import net.datafaker.Faker;

/**
 * The registry of template helpers: KDG's faker.js names mapped onto datafaker and {@link
 * RenderContext}'s random source. Each helper validates its arguments once, when the template is
 * parsed, and returns a {@link Part} that only draws random values when rendering.
 *
 * <p>Where faker.js semantics are known they are kept (ranges, defaults, output shape); where
 * datafaker has the data (names, cities, products) its English data set is used.
 */
final class Helpers {

  /** Validates a placeholder's arguments and binds them into a renderable part. */
  @FunctionalInterface
  interface Binder {
    Part bind(HelperArgs args);
  }

  /**
   * A registered helper.
   *
   * @param takesText whether the helper's only argument is text, so that KDG's lenient form with
   *     unquoted text ({@code date.now(YYYY-MM-DD)}) is accepted
   */
  record Spec(HelperInfo info, Binder binder, boolean takesText) {}

  private static final Map<String, Spec> SPECS = new LinkedHashMap<>();

  private static final MomentFormat ISO_UTC = MomentFormat.compile("YYYY-MM-DDTHH:mm:ss.SSS[Z]");
  private static final String ALPHANUMERIC = "0123456789abcdefghijklmnopqrstuvwxyz";
  private static final String[] WEEKDAYS = new String[7];
  private static final String[] WEEKDAYS_ABBR = new String[7];
  private static final String[] MONTHS = new String[12];
  private static final String[] MONTHS_ABBR = new String[12];
  private static final String[] PHONE_FORMATS = {
    "###-###-####", "(###) ###-####", "1-###-###-####", "###.###.####"
  };
  private static final String[] FREE_EMAIL = {"gmail.com", "yahoo.com", "hotmail.com"};
  private static final String[] ACCOUNT_TYPES = {
    "Checking",
    "Savings",
    "Money Market",
    "Investment",
    "Home Loan",
    "Credit Card",
    "Auto Loan",
    "Personal Loan"
  };
  private static final String[] TRANSACTION_TYPES = {"deposit", "withdrawal", "payment", "invoice"};
  private static final long MILLIS_PER_DAY = 24L * 3600 * 1000;

  static {
    for (int i = 0; i < 7; i++) {
      // Sunday first, as faker.js lists them
      DayOfWeek d = DayOfWeek.of(i == 0 ? 7 : i);
      WEEKDAYS[i] = d.getDisplayName(TextStyle.FULL, Locale.ENGLISH);
      WEEKDAYS_ABBR[i] = d.getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
    }
    for (int i = 0; i < 12; i++) {
      MONTHS[i] = Month.of(i + 1).getDisplayName(TextStyle.FULL, Locale.ENGLISH);
      MONTHS_ABBR[i] = Month.of(i + 1).getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
    }
    registerRandom();
    registerDate();
    registerName();
    registerAddress();
    registerInternet();
    registerCommerce();
    registerCompanyAndLorem();
    registerPhoneFinanceHackerSystem();
    registerHelpers();
  }

  private Helpers() {}

  static Spec find(String name) {
    return SPECS.get(name);
  }

  static List<HelperInfo> infos() {
    List<HelperInfo> out = new ArrayList<>(SPECS.size());
    for (Spec s : SPECS.values()) {
      out.add(s.info());
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * Supported names close to {@code name}, best first: small edit distance, the same name without
   * faker.js's {@code faker.} prefix, or the same method under another namespace.
   */
  static List<String> closeMatches(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.startsWith("faker.") && SPECS.containsKey(name.substring(6))) {
      return List.of(name.substring(6));
    }
    String method = lower.substring(lower.lastIndexOf('.') + 1);
    int limit = Math.max(2, lower.length() / 4);
    List<Map.Entry<String, Integer>> scored = new ArrayList<>();
    for (String candidate : SPECS.keySet()) {
      String c = candidate.toLowerCase(Locale.ROOT);
      int distance = EditDistance.between(lower, c);
      String candidateMethod = c.substring(c.lastIndexOf('.') + 1);
      if (distance <= limit) {
        scored.add(Map.entry(candidate, distance));
      } else if (candidateMethod.equals(method)) {
        scored.add(Map.entry(candidate, limit + 1));
      }
    }
    scored.sort(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry::getKey));
    // only the best matches: "numbr" suggests number, not every name two edits away
    List<String> out = new ArrayList<>();
    for (int i = 0; i < scored.size() && i < 3; i++) {
      if (scored.get(i).getValue() > scored.get(0).getValue()) {
        break;
      }
      out.add(scored.get(i).getKey());
    }
    return out;
  }

  // ---- registration helpers

  private static void register(String name, String usage, String description, Binder binder) {
    register(name, usage, description, binder, false);
  }

  private static void register(
      String name, String usage, String description, Binder binder, boolean takesText) {
    if (SPECS.put(name, new Spec(new HelperInfo(name, usage, description), binder, takesText))
        != null) {
      throw new IllegalStateException("helper registered twice: " + name);
    }
  }

  /** A helper without arguments. */
  private static void simple(String name, String description, Function<RenderContext, String> f) {
    simple(name, description, 0, f);
  }

  /**
   * A helper whose faker.js form takes up to {@code ignoredArgs} optional arguments (such as a
   * gender) that have no datafaker equivalent; they are accepted so KDG templates keep working.
   */
  private static void simple(
      String name, String description, int ignoredArgs, Function<RenderContext, String> f) {
    register(
        name,
        name,
        description,
        args -> {
          args.count(0, ignoredArgs);
          return (out, ctx) -> out.append(f.apply(ctx));
        });
  }

  // ---- random.*

  private static void registerRandom() {
    register(
        "random.number",
        "random.number([max | {min, max, precision}])",
        "a number from min (default 0) to max (default 99999), both inclusive, in steps of"
            + " precision (default 1)",
        Helpers::bindNumber);
    register(
        "random.arrayElement",
        "random.arrayElement([a, b, ...])",
        "one element of the array",
        args -> {
          args.count(1, 1);
          String[] items = texts(nonEmpty(args.list(0)));
          return (out, ctx) -> out.append(items[ctx.nextInt(items.length)]);
        });
    register(
        "random.arrayElements",
        "random.arrayElements([a, b, ...][, count])",
        "count distinct elements (default: 1 to all) in random order, comma-separated",
        Helpers::bindArrayElements);
    register(
        "random.weightedArrayElement",
        "random.weightedArrayElement({weights: [w1, ...], data: [a, ...]})",
        "an element of data picked with probability weight / sum of weights (fractions such as"
            + " 0.3 or percentages such as 30)",
        Helpers::bindWeighted);
    register(
        "random.objectElement",
        "random.objectElement({k: v, ...}[, \"key\"])",
        "a random value of the object, or its key when the second argument is \"key\"",
        args -> {
          args.count(1, 2);
          Map<String, Object> map = args.map(0);
          if (map.isEmpty()) {
            throw new Invalid("needs a non-empty object");
          }
          boolean keys = "key".equals(args.string(1, "value"));
          String[] items =
              keys ? map.keySet().toArray(new String[0]) : texts(new ArrayList<>(map.values()));
          return (out, ctx) -> out.append(items[ctx.nextInt(items.length)]);
        });
    simple("random.uuid", "a random version-4 UUID", ctx -> randomUuid(ctx).toString());
    simple("random.boolean", "true or false", ctx -> ctx.random().nextBoolean() ? "true" : "false");
    simple(
        "random.word", "a random word (a product, color, buzzword, hacker noun …)", Helpers::word);
    register(
        "random.words",
        "random.words([count])",
        "count random words (default 1 to 3), space-separated",
        args -> {
          args.count(0, 1);
          int count = args.integer(0, 0, 1, 10_000);
          boolean fixed = args.has(0);
          return (out, ctx) -> {
            int n = fixed ? count : 1 + ctx.nextInt(3);
            for (int i = 0; i < n; i++) {
              if (i > 0) {
                out.append(' ');
              }
              out.append(word(ctx));
            }
          };
        });
    register(
        "random.alphaNumeric",
        "random.alphaNumeric([count])",
        "count random characters from 0-9 and a-z (default 1)",
        args -> {
          args.count(0, 1);
          int count = args.integer(0, 1, 1, 1_000_000);
          return (out, ctx) -> {
            for (int i = 0; i < count; i++) {
              out.append(ALPHANUMERIC.charAt(ctx.nextInt(ALPHANUMERIC.length())));
            }
          };
        });
  }

  private static Part bindNumber(HelperArgs args) {
    args.count(0, 1);
    double min = 0;
    double max = 99999;
    double precision = 1;
    boolean maxGiven = false;
    if (args.has(0)) {
      Object v = args.raw(0);
      if (v instanceof Number n) {
        max = n.doubleValue();
        maxGiven = true;
      } else if (v instanceof Map) {
        Map<String, Object> options = args.map(0);
        HelperArgs.onlyKeys(options, Set.of("min", "max", "precision"));
        if (options.get("min") != null) {
          min = HelperArgs.numberValue("min", options.get("min"));
        }
        if (options.get("max") != null) {
          max = HelperArgs.numberValue("max", options.get("max"));
          maxGiven = true;
        }
        if (options.get("precision") != null) {
          precision = HelperArgs.numberValue("precision", options.get("precision"));
        }
      } else {
        throw new Invalid(
            "expects a max number like 50 or an object like {\"min\": 10, \"max\": 150}, got "
                + JsValues.describe(v));
      }
    }
    if (!(precision > 0) || Double.isInfinite(precision)) {
      throw new Invalid("precision must be greater than 0, got " + JsValues.number(precision));
    }
    if (min > max) {
      throw new Invalid(
          "min "
              + JsValues.number(min)
              + " is greater than max "
              + JsValues.number(max)
              + (maxGiven ? "" : " (the default; give a max)"));
    }
    BigDecimal step = BigDecimal.valueOf(precision);
    long lo;
    long hi;
    try {
      lo = BigDecimal.valueOf(min).divide(step, 0, RoundingMode.CEILING).longValueExact();
      hi = BigDecimal.valueOf(max).divide(step, 0, RoundingMode.FLOOR).longValueExact();
    } catch (ArithmeticException e) {
      throw new Invalid("range from min to max in steps of precision is too large");
    }
    if (lo > hi) {
      throw new Invalid(
          "no multiple of precision "
              + JsValues.number(precision)
              + " lies between min "
              + JsValues.number(min)
              + " and max "
              + JsValues.number(max));
    }
    BigDecimal stripped = step.stripTrailingZeros();
    if (stripped.scale() <= 0) {
      long whole = stripped.longValueExact();
      if (whole == 1) {
        return (out, ctx) -> out.append(ctx.nextLong(lo, hi));
      }
      return (out, ctx) -> out.append(ctx.nextLong(lo, hi) * whole);
    }
    return (out, ctx) ->
        out.append(
            BigDecimal.valueOf(ctx.nextLong(lo, hi))
                .multiply(step)
                .stripTrailingZeros()
                .toPlainString());
  }

  private static Part bindArrayElements(HelperArgs args) {
    args.count(1, 2);
    String[] items = texts(nonEmpty(args.list(0)));
    int fixedCount = args.integer(1, 0, 1, items.length);
    boolean fixed = args.has(1);
    return (out, ctx) -> {
      int n = fixed ? fixedCount : 1 + ctx.nextInt(items.length);
      int[] order = new int[items.length];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      for (int i = 0; i < n; i++) {
        int j = i + ctx.nextInt(order.length - i);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
        if (i > 0) {
          out.append(',');
        }
        out.append(items[order[i]]);
      }
    };
  }

  private static Part bindWeighted(HelperArgs args) {
    args.count(1, 1);
    Map<String, Object> spec = args.map(0);
    HelperArgs.onlyKeys(spec, Set.of("weights", "data"));
    if (!(spec.get("weights") instanceof List<?> weights)
        || !(spec.get("data") instanceof List<?> data)) {
      throw new Invalid("needs an object like {\"weights\": [0.3, 0.7], \"data\": [\"a\", \"b\"]}");
    }
    if (data.isEmpty()) {
      throw new Invalid("data must not be empty");
    }
    if (weights.size() != data.size()) {
      throw new Invalid("weights has " + weights.size() + " entries but data has " + data.size());
    }
    double[] cumulative = new double[weights.size()];
    double total = 0;
    for (int i = 0; i < weights.size(); i++) {
      double w = HelperArgs.numberValue("weights[" + i + "]", weights.get(i));
      if (!(w >= 0) || Double.isInfinite(w)) {
        throw new Invalid("weights[" + i + "] must be 0 or more, got " + JsValues.number(w));
      }
      total += w;
      cumulative[i] = total;
    }
    if (!(total > 0)) {
      throw new Invalid("weights must not all be 0");
    }
    String[] items = texts(new ArrayList<>(data));
    double sum = total;
    return (out, ctx) -> {
      double u = ctx.random().nextDouble() * sum;
      int i = Arrays.binarySearch(cumulative, u);
      // first index whose cumulative weight is greater than u, skipping zero-weight entries
      i = i >= 0 ? i + 1 : -i - 1;
      while (i < cumulative.length - 1 && cumulative[i] <= u) {
        i++;
      }
      out.append(items[Math.min(i, items.length - 1)]);
    };
  }

  static UUID randomUuid(RenderContext ctx) {
    long msb = (ctx.random().nextLong() & ~0xF000L) | 0x4000L;
    long lsb = (ctx.random().nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }

  private static String word(RenderContext ctx) {
    Faker f = ctx.faker();
    switch (ctx.nextInt(12)) {
      case 0:
        return f.resolve("commerce.product_name.product");
      case 1:
        return f.resolve("commerce.product_name.adjective");
      case 2:
        return f.resolve("commerce.product_name.material");
      case 3:
        return f.color().name();
      case 4:
        return f.company().buzzword();
      case 5:
        return f.hacker().noun();
      case 6:
        return f.hacker().verb();
      case 7:
        return f.hacker().adjective();
      case 8:
        return f.hacker().abbreviation();
      case 9:
        return f.job().field();
      case 10:
        return f.address().streetSuffix();
      default:
        return f.address().state();
    }
  }

  // ---- date.*

  private static void registerDate() {
    register(
        "date.now",
        "date.now([\"moment.js format\"])",
        "the current time in the clock's zone, e.g. date.now(\"YYYY-MM-DD HH:mm:ss\");"
            + " default 2014-09-08T08:02:17-05:00",
        args -> formatted(args, MomentFormat.LOCAL_DEFAULT, false),
        true);
    register(
        "date.utc",
        "date.utc([\"moment.js format\"])",
        "the current time in UTC; default 2014-09-08T13:02:17Z",
        args -> formatted(args, MomentFormat.UTC_DEFAULT, true),
        true);
    register(
        "date.simTime",
        "date.simTime([\"moment.js format\"])",
        "KDG's simulated time: the current time of the generator's clock, like date.now",
        args -> formatted(args, MomentFormat.LOCAL_DEFAULT, false),
        true);
    register(
        "current.timestamp",
        "current.timestamp",
        "KDG's old name for date.now",
        args -> {
          args.count(0, 0);
          return formatted(args, MomentFormat.LOCAL_DEFAULT, false);
        });
    register(
        "date.past",
        "date.past([years[, refDate]])",
        "a time up to years (default 1) before now or refDate, as ISO-8601 UTC",
        args -> offsetDate(args, -365 * MILLIS_PER_DAY, true));
    register(
        "date.future",
        "date.future([years[, refDate]])",
        "a time up to years (default 1) after now or refDate, as ISO-8601 UTC",
        args -> offsetDate(args, 365 * MILLIS_PER_DAY, true));
    register(
        "date.recent",
        "date.recent([days])",
        "a time up to days (default 1) before now, as ISO-8601 UTC",
        args -> offsetDate(args, -MILLIS_PER_DAY, false));
    register(
        "date.soon",
        "date.soon([days])",
        "a time up to days (default 1) after now, as ISO-8601 UTC",
        args -> offsetDate(args, MILLIS_PER_DAY, false));
    register(
        "date.between",
        "date.between(from, to)",
        "a time between two dates (ISO-8601 text, UTC unless an offset is given, or epoch"
            + " milliseconds), as ISO-8601 UTC",
        args -> {
          args.count(2, 2);
          long from = epochMillis("from", args.raw(0));
          long to = epochMillis("to", args.raw(1));
          if (from > to) {
            throw new Invalid("from " + args.raw(0) + " is after to " + args.raw(1));
          }
          return (out, ctx) -> iso(out, ctx.nextLong(from, to));
        });
    register(
        "date.weekday",
        "date.weekday([{abbr: true}])",
        "a weekday name: Monday (Mon with abbr)",
        args -> names(args, WEEKDAYS, WEEKDAYS_ABBR));
    register(
        "date.month",
        "date.month([{abbr: true}])",
        "a month name: January (Jan with abbr)",
        args -> names(args, MONTHS, MONTHS_ABBR));
  }

  private static Part formatted(HelperArgs args, MomentFormat defaultFormat, boolean utc) {
    args.count(0, 1);
    MomentFormat format = args.has(0) ? MomentFormat.compile(args.string(0, null)) : defaultFormat;
    if (utc) {
      return (out, ctx) -> format.format(out, ctx.now().withZoneSameInstant(ZoneOffset.UTC));
    }
    return (out, ctx) -> format.format(out, ctx.now());
  }

  private static Part offsetDate(HelperArgs args, long unitMillis, boolean takesRefDate) {
    args.count(0, takesRefDate ? 2 : 1);
    double units = args.number(0, 1);
    if (!(units > 0) || units > 10_000) {
      throw new Invalid(
          "first argument must be between 0 and 10000, got " + JsValues.number(units));
    }
    long span = (long) (Math.abs(unitMillis) * units);
    long sign = Long.signum(unitMillis);
    boolean hasRef = takesRefDate && args.has(1);
    long ref = hasRef ? epochMillis("refDate", args.raw(1)) : 0;
    long minOffset = Math.min(1000, span);
    return (out, ctx) -> {
      long base = hasRef ? ref : ctx.nowMillis();
      iso(out, base + sign * ctx.nextLong(minOffset, span));
    };
  }

  private static Part names(HelperArgs args, String[] full, String[] abbr) {
    args.count(0, 1);
    boolean abbreviated = false;
    if (args.has(0)) {
      Map<String, Object> options = args.map(0);
      HelperArgs.onlyKeys(options, Set.of("abbr", "context"));
      abbreviated = Boolean.TRUE.equals(options.get("abbr"));
    }
    String[] names = abbreviated ? abbr : full;
    return (out, ctx) -> out.append(names[ctx.nextInt(names.length)]);
  }

  static void iso(StringBuilder out, long epochMillis) {
    ISO_UTC.format(out, ZonedDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC));
  }

  static long epochMillis(String what, Object v) {
    if (v instanceof Long l) {
      return l;
    }
    if (v instanceof Double d && !d.isNaN() && !d.isInfinite()) {
      return Math.round(d);
    }
    if (v instanceof String s) {
      String text = s.trim();
      try {
        return Instant.parse(text).toEpochMilli();
      } catch (DateTimeParseException ignored) {
        // try the next form
      }
      try {
        return OffsetDateTime.parse(text).toInstant().toEpochMilli();
      } catch (DateTimeParseException ignored) {
        // try the next form
      }
      try {
        return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC).toEpochMilli();
      } catch (DateTimeParseException ignored) {
        // try the next form
      }
      try {
        return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      } catch (DateTimeParseException ignored) {
        // reported below
      }
    }
    throw new Invalid(
        what
            + " must be a date like \"2024-01-31\" or \"2024-01-31T12:00:00Z\" or epoch"
            + " milliseconds, got "
            + JsValues.describe(v));
  }

  // ---- name.*

  private static void registerName() {
    simple("name.firstName", "a first name", 1, ctx -> ctx.faker().name().firstName());
    simple("name.lastName", "a last name", 1, ctx -> ctx.faker().name().lastName());
    simple(
        "name.findName",
        "a full name, sometimes with a prefix (Dr.) or suffix (Jr.)",
        3,
        Helpers::fullName);
    simple("name.prefix", "a name prefix such as Mrs.", 1, ctx -> ctx.faker().name().prefix());
    simple("name.suffix", "a name suffix such as PhD", ctx -> ctx.faker().name().suffix());
    simple("name.jobTitle", "a job title", ctx -> ctx.faker().job().title());
    simple("name.title", "a job title", ctx -> ctx.faker().job().title());
    simple(
        "name.jobDescriptor",
        "a job seniority such as Senior",
        ctx -> ctx.faker().job().seniority());
    simple("name.jobArea", "a job field such as Marketing", ctx -> ctx.faker().job().field());
    simple("name.jobType", "a job position such as Analyst", ctx -> ctx.faker().job().position());
  }

  private static String fullName(RenderContext ctx) {
    Faker f = ctx.faker();
    int r = ctx.nextInt(9);
    String first = f.name().firstName();
    String last = f.name().lastName();
    if (r == 0) {
      return f.name().prefix() + " " + first + " " + last;
    }
    if (r == 1) {
      return first + " " + last + " " + f.name().suffix();
    }
    return first + " " + last;
  }

  // ---- address.*

  private static void registerAddress() {
    simple("address.city", "a city name", 1, ctx -> ctx.faker().address().city());
    simple("address.streetName", "a street name", ctx -> ctx.faker().address().streetName());
    simple(
        "address.streetAddress",
        "a street address such as 965 Carmen Port",
        1,
        ctx -> ctx.faker().address().streetAddress());
    simple(
        "address.secondaryAddress",
        "an apartment or suite such as Suite 295",
        ctx -> ctx.faker().address().secondaryAddress());
    register(
        "address.zipCode",
        "address.zipCode([\"format\"])",
        "a US zip code, or the format with # as a digit and ? as a letter",
        args -> {
          args.count(0, 1);
          if (!args.has(0)) {
            return (out, ctx) -> out.append(ctx.faker().address().zipCode());
          }
          String format = args.string(0, null);
          return (out, ctx) -> replaceSymbols(out, format, ctx, true);
        },
        true);
    simple("address.country", "a country name", ctx -> ctx.faker().address().country());
    simple(
        "address.countryCode",
        "a two-letter ISO country code",
        ctx -> ctx.faker().address().countryCode());
    simple("address.state", "a US state name", 1, ctx -> ctx.faker().address().state());
    simple(
        "address.stateAbbr", "a US state abbreviation", ctx -> ctx.faker().address().stateAbbr());
    register(
        "address.latitude",
        "address.latitude",
        "a latitude from -90 to 90 with 4 decimals",
        args -> {
          args.count(0, 0);
          return (out, ctx) -> fixed(out, ctx.nextLong(0, 1_800_000) - 900_000, 4);
        });
    register(
        "address.longitude",
        "address.longitude",
        "a longitude from -180 to 180 with 4 decimals",
        args -> {
          args.count(0, 0);
          return (out, ctx) -> fixed(out, ctx.nextLong(0, 3_600_000) - 1_800_000, 4);
        });
    simple(
        "address.timeZone",
        "a time zone id such as Europe/Paris",
        ctx -> ctx.faker().address().timeZone());
  }

  // ---- internet.*

  private static void registerInternet() {
    simple(
        "internet.email",
        "an email address such as Kirstin.Smith39@gmail.com",
        3,
        ctx -> userName(ctx) + "@" + FREE_EMAIL[ctx.nextInt(FREE_EMAIL.length)]);
    simple(
        "internet.exampleEmail",
        "an email address at example.com, .org or .net",
        2,
        ctx -> userName(ctx) + "@example." + new String[] {"com", "org", "net"}[ctx.nextInt(3)]);
    simple("internet.userName", "a user name such as Kirstin.Smith39", 2, Helpers::userName);
    register(
        "internet.ip",
        "internet.ip",
        "an IPv4 address",
        args -> {
          args.count(0, 0);
          return (out, ctx) ->
              out.append(ctx.nextInt(256))
                  .append('.')
                  .append(ctx.nextInt(256))
                  .append('.')
                  .append(ctx.nextInt(256))
                  .append('.')
                  .append(ctx.nextInt(256));
        });
    simple("internet.ipv6", "an IPv6 address", ctx -> ctx.faker().internet().ipV6Address());
    simple("internet.mac", "a MAC address", ctx -> ctx.faker().internet().macAddress());
    simple(
        "internet.protocol", "http or https", ctx -> ctx.random().nextBoolean() ? "https" : "http");
    simple(
        "internet.url",
        "a URL such as https://rashawn.name",
        ctx ->
            (ctx.random().nextBoolean() ? "https" : "http")
                + "://"
                + ctx.faker().internet().domainName());
    simple(
        "internet.domainName",
        "a domain name such as marvin.org",
        ctx -> ctx.faker().internet().domainName());
    simple(
        "internet.domainWord",
        "a domain word such as alyce",
        ctx -> ctx.faker().internet().domainWord());
    simple(
        "internet.domainSuffix",
        "a domain suffix such as net",
        ctx -> ctx.faker().internet().domainSuffix());
    simple(
        "internet.userAgent",
        "a browser user agent string",
        ctx -> ctx.faker().internet().userAgent());
    register(
        "internet.color",
        "internet.color",
        "a CSS hex color such as #3fa7c2",
        args -> {
          args.count(0, 3);
          return (out, ctx) -> {
            String hex = Integer.toHexString(ctx.nextInt(1 << 24) | (1 << 24));
            out.append('#').append(hex, 1, 7);
          };
        });
  }

  private static String userName(RenderContext ctx) {
    Faker f = ctx.faker();
    String first = f.name().firstName();
    String last = f.name().lastName();
    String name;
    switch (ctx.nextInt(3)) {
      case 0:
        name = first + ctx.nextInt(100);
        break;
      case 1:
        name = first + (ctx.random().nextBoolean() ? "." : "_") + last;
        break;
      default:
        name = first + (ctx.random().nextBoolean() ? "." : "_") + last + ctx.nextInt(100);
    }
    return name.replace("'", "").replace(" ", "");
  }

  // ---- commerce.*

  private static void registerCommerce() {
    simple(
        "commerce.productName",
        "a product name such as Small Wool Pants",
        ctx -> ctx.faker().commerce().productName());
    register(
        "commerce.price",
        "commerce.price([min[, max[, decimals[, symbol]]]])",
        "a price from min (default 0) to max (default 1000) with decimals (default 2),"
            + " prefixed by symbol",
        Helpers::bindAmount);
    simple(
        "commerce.department",
        "a store department such as Books",
        2,
        ctx -> ctx.faker().commerce().department());
    simple(
        "commerce.product",
        "a product noun such as Chair",
        ctx -> ctx.faker().resolve("commerce.product_name.product"));
    simple(
        "commerce.productAdjective",
        "a product adjective such as Ergonomic",
        ctx -> ctx.faker().resolve("commerce.product_name.adjective"));
    simple(
        "commerce.productMaterial",
        "a product material such as Steel",
        ctx -> ctx.faker().resolve("commerce.product_name.material"));
    simple("commerce.color", "a color name such as salmon", ctx -> ctx.faker().color().name());
  }

  private static Part bindAmount(HelperArgs args) {
    args.count(0, 4);
    double min = args.number(0, 0);
    double max = args.number(1, 1000);
    int decimals = args.integer(2, 2, 0, 10);
    String symbol = args.string(3, "");
    if (min > max) {
      throw new Invalid(
          "min " + JsValues.number(min) + " is greater than max " + JsValues.number(max));
    }
    BigDecimal scale = BigDecimal.TEN.pow(decimals);
    long lo;
    long hi;
    try {
      lo =
          BigDecimal.valueOf(min)
              .multiply(scale)
              .setScale(0, RoundingMode.CEILING)
              .longValueExact();
      hi = BigDecimal.valueOf(max).multiply(scale).setScale(0, RoundingMode.FLOOR).longValueExact();
    } catch (ArithmeticException e) {
      throw new Invalid("min and max are too large");
    }
    if (lo > hi) {
      throw new Invalid("no amount with " + decimals + " decimals lies between min and max");
    }
    return (out, ctx) -> fixed(out.append(symbol), ctx.nextLong(lo, hi), decimals);
  }

  // ---- company.*, lorem.*

  private static void registerCompanyAndLorem() {
    simple(
        "company.companyName",
        "a company name such as Kris-Mraz",
        1,
        ctx -> ctx.faker().company().name());
    simple(
        "company.companySuffix",
        "a company suffix such as LLC",
        ctx -> ctx.faker().company().suffix());
    simple("company.catchPhrase", "a catch phrase", ctx -> ctx.faker().company().catchPhrase());
    simple(
        "company.bs",
        "business speak such as monetize seamless mindshare",
        ctx -> ctx.faker().company().bs());
    simple("lorem.word", "a lorem ipsum word", 1, ctx -> ctx.faker().lorem().word());
    register(
        "lorem.words",
        "lorem.words([count])",
        "count lorem ipsum words (default 3), space-separated",
        args -> {
          args.count(0, 1);
          int count = args.integer(0, 3, 1, 10_000);
          return (out, ctx) -> {
            for (int i = 0; i < count; i++) {
              if (i > 0) {
                out.append(' ');
              }
              out.append(ctx.faker().lorem().word());
            }
          };
        });
    register(
        "lorem.sentence",
        "lorem.sentence([wordCount])",
        "a lorem ipsum sentence (wordCount words, default 3 to 9)",
        args -> {
          args.count(0, 2);
          if (!args.has(0)) {
            return (out, ctx) -> out.append(ctx.faker().lorem().sentence());
          }
          int words = args.integer(0, 0, 1, 10_000);
          return (out, ctx) -> out.append(ctx.faker().lorem().sentence(words, 0));
        });
    register(
        "lorem.sentences",
        "lorem.sentences([count])",
        "count lorem ipsum sentences (default 2 to 6)",
        args -> {
          args.count(0, 2);
          boolean fixed = args.has(0);
          int count = args.integer(0, 0, 1, 10_000);
          return (out, ctx) ->
              out.append(
                  String.join(
                      " ", ctx.faker().lorem().sentences(fixed ? count : 2 + ctx.nextInt(5))));
        });
    register(
        "lorem.paragraph",
        "lorem.paragraph([sentenceCount])",
        "a lorem ipsum paragraph of sentenceCount (default 3) plus up to 3 sentences",
        args -> {
          args.count(0, 1);
          int count = args.integer(0, 3, 1, 10_000);
          return (out, ctx) -> out.append(ctx.faker().lorem().paragraph(count));
        });
  }

  // ---- phone.*, finance.*, hacker.*, system.*

  private static void registerPhoneFinanceHackerSystem() {
    register(
        "phone.phoneNumber",
        "phone.phoneNumber([\"format\"])",
        "a US phone number such as (274) 265-0651, or the format with each # replaced by a digit",
        args -> {
          args.count(0, 1);
          String format = args.string(0, null);
          if (format != null) {
            return (out, ctx) -> replaceSymbols(out, format, ctx, false);
          }
          return (out, ctx) ->
              replaceSymbols(out, PHONE_FORMATS[ctx.nextInt(PHONE_FORMATS.length)], ctx, false);
        },
        true);
    register(
        "finance.amount",
        "finance.amount([min[, max[, decimals[, symbol]]]])",
        "an amount from min (default 0) to max (default 1000) with decimals (default 2),"
            + " prefixed by symbol",
        Helpers::bindAmount);
    register(
        "finance.account",
        "finance.account([length])",
        "an account number of length digits (default 8)",
        args -> {
          args.count(0, 1);
          int length = args.integer(0, 8, 1, 1000);
          return (out, ctx) -> {
            for (int i = 0; i < length; i++) {
              out.append((char) ('0' + ctx.nextInt(10)));
            }
          };
        });
    simple(
        "finance.accountName",
        "an account name such as Savings Account",
        ctx -> ACCOUNT_TYPES[ctx.nextInt(ACCOUNT_TYPES.length)] + " Account");
    simple(
        "finance.transactionType",
        "deposit, withdrawal, payment or invoice",
        ctx -> TRANSACTION_TYPES[ctx.nextInt(TRANSACTION_TYPES.length)]);
    simple(
        "finance.currencyCode",
        "an ISO 4217 currency code such as EUR",
        ctx -> ctx.faker().money().currencyCode());
    simple(
        "finance.currencyName",
        "a currency name such as Euro",
        ctx -> ctx.faker().money().currency());
    simple(
        "finance.currencySymbol",
        "a currency symbol such as $",
        ctx -> ctx.faker().money().currencySymbol());
    simple("hacker.noun", "a hacker noun such as pixel", ctx -> ctx.faker().hacker().noun());
    simple("hacker.verb", "a hacker verb such as navigate", ctx -> ctx.faker().hacker().verb());
    simple(
        "hacker.adjective",
        "a hacker adjective such as virtual",
        ctx -> ctx.faker().hacker().adjective());
    simple(
        "hacker.ingverb",
        "a hacker -ing verb such as parsing",
        ctx -> ctx.faker().hacker().ingverb());
    simple(
        "hacker.abbreviation",
        "a hacker abbreviation such as TCP",
        ctx -> ctx.faker().hacker().abbreviation());
    simple(
        "system.fileName",
        "a file name such as dolore_rerum.png",
        2,
        ctx -> {
          Faker f = ctx.faker();
          int words = 1 + ctx.nextInt(3);
          StringBuilder sb = new StringBuilder();
          for (int i = 0; i < words; i++) {
            if (i > 0) {
              sb.append('_');
            }
            sb.append(f.lorem().word());
          }
          return sb.append('.').append(f.file().extension()).toString().toLowerCase(Locale.ROOT);
        });
    simple(
        "system.fileExt", "a file extension such as pdf", 1, ctx -> ctx.faker().file().extension());
    simple(
        "system.mimeType", "a MIME type such as image/png", ctx -> ctx.faker().file().mimeType());
    simple(
        "system.semver",
        "a version such as 3.1.4",
        ctx -> ctx.nextInt(10) + "." + ctx.nextInt(10) + "." + ctx.nextInt(10));
  }

  // ---- helpers.*

  private static void registerHelpers() {
    register(
        "helpers.randomize",
        "helpers.randomize([a, b, ...])",
        "one element of the array (same as random.arrayElement)",
        args -> {
          args.count(1, 1);
          String[] items = texts(nonEmpty(args.list(0)));
          return (out, ctx) -> out.append(items[ctx.nextInt(items.length)]);
        });
    register(
        "helpers.replaceSymbolWithNumber",
        "helpers.replaceSymbolWithNumber(\"text\")",
        "the text with each # replaced by a random digit",
        args -> {
          args.count(1, 1);
          String text = args.string(0, "");
          return (out, ctx) -> replaceSymbols(out, text, ctx, false);
        },
        true);
    register(
        "helpers.replaceSymbols",
        "helpers.replaceSymbols(\"text\")",
        "the text with each # replaced by a digit and each ? by a letter A-Z",
        args -> {
          args.count(1, 1);
          String text = args.string(0, "");
          return (out, ctx) -> replaceSymbols(out, text, ctx, true);
        },
        true);
  }

  // ---- shared pieces

  private static List<Object> nonEmpty(List<Object> list) {
    if (list.isEmpty()) {
      throw new Invalid("needs a non-empty array");
    }
    return list;
  }

  private static String[] texts(List<Object> values) {
    String[] out = new String[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = JsValues.text(values.get(i));
    }
    return out;
  }

  private static void replaceSymbols(
      StringBuilder out, String format, RenderContext ctx, boolean letters) {
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if (c == '#') {
        out.append((char) ('0' + ctx.nextInt(10)));
      } else if (letters && c == '?') {
        out.append((char) ('A' + ctx.nextInt(26)));
      } else {
        out.append(c);
      }
    }
  }

  /** Appends {@code units / 10^decimals} with exactly {@code decimals} decimals. */
  static StringBuilder fixed(StringBuilder out, long units, int decimals) {
    if (units < 0) {
      out.append('-');
      units = -units;
    }
    if (decimals == 0) {
      return out.append(units);
    }
    long pow = 1;
    for (int i = 0; i < decimals; i++) {
      pow *= 10;
    }
    out.append(units / pow).append('.');
    MomentFormat.pad(out, units % pow, decimals);
    return out;
  }
}
