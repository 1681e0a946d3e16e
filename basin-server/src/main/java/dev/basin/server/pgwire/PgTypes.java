package dev.basin.server.pgwire;

import dev.basin.spi.sql.SqlColumn;
import dev.basin.spi.sql.SqlType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps the engine's types to PostgreSQL types and encodes values in PostgreSQL's text and binary
 * formats; decodes bound parameters. Stateless and thread-safe.
 *
 * <p>Types PostgreSQL has no counterpart for (lists, structs, maps) are sent as {@code text} in the
 * engine's own spelling.
 */
final class PgTypes {
  private static final long PG_EPOCH_SECONDS = LocalDate.of(2000, 1, 1).toEpochDay() * 86_400L;
  private static final long PG_EPOCH_DAY = LocalDate.of(2000, 1, 1).toEpochDay();
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final Pattern DATE_TIME =
      Pattern.compile(
          "\\s*(\\d{1,})-(\\d{1,2})-(\\d{1,2})"
              + "(?:[ T](\\d{1,2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,9}))?)?)?"
              + "\\s*(Z|z|UTC|[+-]\\d{1,2}(?::?\\d{2})?(?::?\\d{2})?)?"
              + "\\s*(BC|AD)?\\s*");
  private static final Pattern INTERVAL_UNIT =
      Pattern.compile(
          "([+-]?\\d+(?:\\.\\d+)?)\\s*(years?|months?|mons?|days?|hours?|minutes?|mins?"
              + "|milliseconds?|microseconds?|seconds?|secs?)\\b",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern INTERVAL_TIME =
      Pattern.compile("([+-])?(\\d+):(\\d{1,2})(?::(\\d{1,2})(?:\\.(\\d{1,9}))?)?");
  private static final Map<Integer, PgType> BY_OID = new HashMap<>();

  static {
    for (PgType t :
        List.of(
            PgType.BOOL,
            PgType.BYTEA,
            PgType.CHAR,
            PgType.NAME,
            PgType.INT8,
            PgType.INT2,
            PgType.INT4,
            PgType.REGPROC,
            PgType.TEXT,
            PgType.OID,
            PgType.JSON,
            PgType.FLOAT4,
            PgType.FLOAT8,
            PgType.UNKNOWN,
            PgType.BPCHAR,
            PgType.VARCHAR,
            PgType.DATE,
            PgType.TIME,
            PgType.TIMESTAMP,
            PgType.TIMESTAMPTZ,
            PgType.INTERVAL,
            PgType.TIMETZ,
            PgType.NUMERIC,
            PgType.UUID,
            PgType.JSONB)) {
      BY_OID.put(t.oid(), t);
    }
  }

  private PgTypes() {}

  /** The type for an OID, or null when Basin does not know it. */
  static PgType byOid(int oid) {
    return BY_OID.get(oid);
  }

  /** The PostgreSQL type a value of the engine's type is sent as. */
  static PgType of(SqlType type) {
    return switch (type.kind()) {
      case BOOLEAN -> PgType.BOOL;
      case TINYINT, SMALLINT -> PgType.INT2;
      case INTEGER -> PgType.INT4;
      case BIGINT -> PgType.INT8;
      case HUGEINT, DECIMAL -> PgType.NUMERIC;
      case FLOAT -> PgType.FLOAT4;
      case DOUBLE -> PgType.FLOAT8;
      case BLOB -> PgType.BYTEA;
      case DATE -> PgType.DATE;
      case TIME -> PgType.TIME;
      case TIMESTAMP -> PgType.TIMESTAMP;
      case TIMESTAMP_TZ -> PgType.TIMESTAMPTZ;
      case INTERVAL -> PgType.INTERVAL;
      case UUID -> PgType.UUID;
      case JSON -> PgType.JSON;
      case VARCHAR, LIST, STRUCT, MAP, UNKNOWN -> PgType.TEXT;
    };
  }

  /** The numeric type modifier {@code ((precision << 16) | scale) + 4}, or -1. */
  static int typmod(SqlType type) {
    if (type.kind() == SqlType.Kind.DECIMAL && type.precision() > 0) {
      return ((type.precision() << 16) | type.scale()) + 4;
    }
    return -1;
  }

  static PgColumn column(SqlColumn c) {
    return new PgColumn(c.name(), of(c.type()), typmod(c.type()));
  }

  /** The OID a parameter of the engine's type is described as ({@code text} when unknown). */
  static int parameterOid(SqlType type) {
    return type == null ? PgType.TEXT.oid() : of(type).oid();
  }

  // ------------------------------------------------------------------ catalog type names

  /**
   * A column type as the engine spells it in {@code information_schema.columns.data_type} (e.g.
   * {@code DECIMAL(10,2)}, {@code TIMESTAMP WITH TIME ZONE}, {@code INTEGER[]}).
   *
   * @param type the PostgreSQL type values are sent as
   * @param typmod its modifier
   * @param display what {@code format_type} prints (e.g. {@code numeric(10,2)})
   */
  record CatalogType(PgType type, int typmod, String display) {}

  static CatalogType catalogType(String engineName) {
    String n = engineName == null ? "" : engineName.trim();
    String u = n.toUpperCase(Locale.ROOT);
    if (u.endsWith("]")) {
      CatalogType element = catalogType(n.substring(0, n.lastIndexOf('[')));
      return new CatalogType(PgType.TEXT, -1, element.display() + "[]");
    }
    if (u.startsWith("DECIMAL") || u.startsWith("NUMERIC")) {
      int open = u.indexOf('(');
      if (open > 0 && u.endsWith(")")) {
        String[] ps = u.substring(open + 1, u.length() - 1).split(",");
        try {
          int p = Integer.parseInt(ps[0].trim());
          int s = ps.length > 1 ? Integer.parseInt(ps[1].trim()) : 0;
          return new CatalogType(
              PgType.NUMERIC, ((p << 16) | s) + 4, "numeric(" + p + "," + s + ")");
        } catch (NumberFormatException e) {
          return new CatalogType(PgType.NUMERIC, -1, "numeric");
        }
      }
      return new CatalogType(PgType.NUMERIC, -1, "numeric");
    }
    if (u.startsWith("STRUCT") || u.startsWith("MAP") || u.startsWith("UNION")) {
      return new CatalogType(PgType.TEXT, -1, n.toLowerCase(Locale.ROOT));
    }
    PgType t =
        switch (u) {
          case "BOOLEAN", "BOOL" -> PgType.BOOL;
          case "TINYINT", "SMALLINT", "UTINYINT", "INT2" -> PgType.INT2;
          case "INTEGER", "USMALLINT", "INT", "INT4" -> PgType.INT4;
          case "BIGINT", "UINTEGER", "INT8" -> PgType.INT8;
          case "HUGEINT", "UHUGEINT", "UBIGINT" -> PgType.NUMERIC;
          case "FLOAT", "REAL", "FLOAT4" -> PgType.FLOAT4;
          case "DOUBLE", "FLOAT8" -> PgType.FLOAT8;
          case "BLOB", "BYTEA", "BIT" -> PgType.BYTEA;
          case "DATE" -> PgType.DATE;
          case "TIME", "TIME WITH TIME ZONE" -> PgType.TIME;
          case "TIMESTAMP", "TIMESTAMP_MS", "TIMESTAMP_S", "TIMESTAMP_NS", "DATETIME" ->
              PgType.TIMESTAMP;
          case "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ" -> PgType.TIMESTAMPTZ;
          case "INTERVAL" -> PgType.INTERVAL;
          case "UUID" -> PgType.UUID;
          case "JSON" -> PgType.JSON;
          default -> PgType.TEXT;
        };
    return new CatalogType(t, -1, t.display());
  }

  // ------------------------------------------------------------------ text format

  /** The text form of a non-null value sent as type {@code type}. */
  static String text(Object v, PgType type) {
    switch (type.oid()) {
      case 16:
        return bool(v) ? "t" : "f";
      case 700:
        return v instanceof Number n ? formatFloat(n.floatValue()) : v.toString();
      case 701:
        return v instanceof Number n ? formatDouble(n.doubleValue()) : v.toString();
      case 1700:
        if (v instanceof BigDecimal d) {
          return d.toPlainString();
        }
        if (v instanceof Double d && (d.isNaN() || d.isInfinite())) {
          return d.isNaN() ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
        }
        return v.toString();
      case 17:
        return byteaText(bytes(v));
      case 1082:
        return v instanceof String s ? s : formatDate(date(v));
      case 1083:
        return v instanceof String s ? s : formatTime(time(v));
      case 1114:
        return v instanceof String s ? s : formatTimestamp(timestamp(v));
      case 1184:
        return v instanceof String s
            ? s
            : formatTimestamp(timestamptz(v).toLocalDateTime()) + "+00";
      case 1186:
        return intervalText(v);
      default:
        if (v instanceof byte[] b) {
          return byteaText(b);
        }
        if (v instanceof Boolean b) {
          return b ? "t" : "f";
        }
        if (v instanceof java.sql.Timestamp ts) {
          return formatTimestamp(ts.toLocalDateTime());
        }
        return v.toString();
    }
  }

  /** Writes a value's length and text form into the current DataRow. */
  static void writeText(PgWriter w, Object v, PgType type) {
    if (v instanceof String s && type.oid() != PgType.INTERVAL.oid()) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      w.int32(b.length);
      w.bytes(b);
      return;
    }
    byte[] b = text(v, type).getBytes(StandardCharsets.UTF_8);
    w.int32(b.length);
    w.bytes(b);
  }

  // ------------------------------------------------------------------ binary format

  /** Writes a value's length and binary form into the current DataRow. */
  static void writeBinary(PgWriter w, Object v, PgType type) {
    switch (type.oid()) {
      case 16 -> {
        w.int32(1);
        w.int8(bool(v) ? 1 : 0);
      }
      case 21 -> {
        w.int32(2);
        w.int16(number(v).shortValue());
      }
      case 23, 26 -> {
        w.int32(4);
        w.int32(number(v).intValue());
      }
      case 20 -> {
        w.int32(8);
        w.int64(number(v).longValue());
      }
      case 700 -> {
        w.int32(4);
        w.int32(Float.floatToIntBits(number(v).floatValue()));
      }
      case 701 -> {
        w.int32(8);
        w.int64(Double.doubleToLongBits(number(v).doubleValue()));
      }
      case 1700 -> writeNumeric(w, v);
      case 17 -> {
        byte[] b = bytes(v);
        w.int32(b.length);
        w.bytes(b);
      }
      case 1082 -> {
        w.int32(4);
        w.int32((int) (date(v).toEpochDay() - PG_EPOCH_DAY));
      }
      case 1083 -> {
        w.int32(8);
        w.int64(time(v).toNanoOfDay() / 1000);
      }
      case 1114 -> {
        w.int32(8);
        w.int64(micros(timestamp(v)));
      }
      case 1184 -> {
        w.int32(8);
        w.int64(micros(timestamptz(v).toLocalDateTime()));
      }
      case 1186 -> {
        long[] iv = interval(v instanceof String s ? s : v.toString());
        w.int32(16);
        w.int64(iv[2]);
        w.int32((int) iv[1]);
        w.int32((int) iv[0]);
      }
      case 2950 -> {
        UUID u = v instanceof UUID x ? x : UUID.fromString(v.toString());
        w.int32(16);
        w.int64(u.getMostSignificantBits());
        w.int64(u.getLeastSignificantBits());
      }
      default -> {
        byte[] b = text(v, type).getBytes(StandardCharsets.UTF_8);
        w.int32(b.length);
        w.bytes(b);
      }
    }
  }

  private static void writeNumeric(PgWriter w, Object v) {
    if (v instanceof Double d && d.isNaN()) {
      w.int32(8);
      w.int16(0);
      w.int16(0);
      w.int16(0xC000);
      w.int16(0);
      return;
    }
    BigDecimal d = decimal(v);
    int at = w.reserveLength();
    numeric(w, d);
    w.patchLength(at);
  }

  /** Writes PostgreSQL's binary numeric: ndigits, weight, sign, dscale, base-10000 digits. */
  static void numeric(PgWriter w, BigDecimal value) {
    int dscale = Math.max(value.scale(), 0);
    String plain = value.abs().setScale(dscale, RoundingMode.UNNECESSARY).toPlainString();
    int dot = plain.indexOf('.');
    String intPart = dot < 0 ? plain : plain.substring(0, dot);
    String fracPart = dot < 0 ? "" : plain.substring(dot + 1);
    intPart = intPart.replaceFirst("^0+", "");
    int intGroups = (intPart.length() + 3) / 4;
    String paddedInt = "0".repeat(intGroups * 4 - intPart.length()) + intPart;
    int fracGroups = (fracPart.length() + 3) / 4;
    String paddedFrac = fracPart + "0".repeat(fracGroups * 4 - fracPart.length());
    String all = paddedInt + paddedFrac;
    int[] digits = new int[intGroups + fracGroups];
    for (int i = 0; i < digits.length; i++) {
      digits[i] = Integer.parseInt(all.substring(i * 4, i * 4 + 4));
    }
    int weight = intGroups - 1;
    int first = 0;
    while (first < digits.length && digits[first] == 0) {
      first++;
      weight--;
    }
    int last = digits.length;
    while (last > first && digits[last - 1] == 0) {
      last--;
    }
    int n = last - first;
    w.int16(n);
    w.int16(n == 0 ? 0 : weight);
    w.int16(value.signum() < 0 ? 0x4000 : 0);
    w.int16(dscale);
    for (int i = first; i < last; i++) {
      w.int16(digits[i]);
    }
  }

  // ------------------------------------------------------------------ parameters

  /**
   * Decodes a bound parameter into one of the Java types {@code PreparedSql.execute} accepts.
   *
   * @param raw the value's bytes, or null for SQL NULL
   * @param binary whether it is in binary format
   * @param declaredOid the type the client declared in Parse, or 0
   * @param engineType the type the engine expects, or null/UNKNOWN
   * @param number the parameter's 1-based number, for messages
   * @throws PgException {@code 22P02}/{@code 22P03} if the value does not decode
   */
  static Object decodeParameter(
      byte[] raw, boolean binary, int declaredOid, SqlType engineType, int number) {
    if (raw == null) {
      return null;
    }
    boolean engineKnows = engineType != null && engineType.kind() != SqlType.Kind.UNKNOWN;
    PgType target = declaredOid != 0 ? byOid(declaredOid) : engineKnows ? of(engineType) : null;
    if (binary) {
      if (target == null) {
        throw new PgException(
            PgException.INVALID_BINARY_REPRESENTATION,
            "parameter $"
                + number
                + " is in binary format but its type "
                + (declaredOid == 0 ? "is unspecified" : "(OID " + declaredOid + ") is unknown")
                + "; declare a supported type or send it as text");
      }
      return decodeBinary(raw, target, number);
    }
    String s = new String(raw, StandardCharsets.UTF_8);
    if (declaredOid != 0) {
      return target == null ? s : decodeText(s, target, number);
    }
    if (target != null && target != PgType.TEXT) {
      try {
        return decodeText(s, target, number);
      } catch (RuntimeException e) {
        return untyped(s, engineType);
      }
    }
    return untyped(s, engineType);
  }

  /**
   * A text parameter whose type neither side knows. pgjdbc sends dates as {@code 2024-01-02 +01}
   * and timestamps as {@code 2024-01-02 03:04:05+01} with no type: turn those into dates and
   * timestamps so the engine does not have to parse the zone suffix.
   */
  private static Object untyped(String s, SqlType engineType) {
    Matcher m = DATE_TIME.matcher(s);
    if (m.matches() && m.group(8) != null && !"BC".equals(m.group(9))) {
      try {
        if (m.group(4) == null) {
          return LocalDate.of(
              Integer.parseInt(m.group(1)),
              Integer.parseInt(m.group(2)),
              Integer.parseInt(m.group(3)));
        }
        if (engineType != null && engineType.kind() == SqlType.Kind.TIMESTAMP_TZ) {
          return parseTimestamptz(s);
        }
        return parseTimestamp(s);
      } catch (RuntimeException e) {
        return s;
      }
    }
    return s;
  }

  static Object decodeText(String s, PgType type, int number) {
    String t = s.trim();
    try {
      switch (type.oid()) {
        case 16:
          return parseBool(t, number);
        case 21:
        case 23:
          return Integer.valueOf(t);
        case 20:
        case 26:
          return Long.valueOf(t);
        case 700:
        case 701:
          return parseDouble(t);
        case 1700:
          if (t.equalsIgnoreCase("NaN")) {
            return Double.NaN;
          }
          return new BigDecimal(t);
        case 17:
          return parseBytea(s);
        case 1082:
          return parseDate(t);
        case 1114:
          return parseTimestamp(t);
        case 1184:
          return parseTimestamptz(t);
        default:
          return s;
      }
    } catch (PgException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new PgException(
          PgException.INVALID_TEXT_REPRESENTATION,
          "invalid input syntax for type "
              + type.display()
              + " in parameter $"
              + number
              + ": \""
              + abbreviate(s)
              + "\"");
    }
  }

  static Object decodeBinary(byte[] raw, PgType type, int number) {
    ByteBuffer b = ByteBuffer.wrap(raw);
    try {
      switch (type.oid()) {
        case 16:
          expectLength(raw, 1, type, number);
          return raw[0] != 0;
        case 21:
          expectLength(raw, 2, type, number);
          return (int) b.getShort();
        case 23:
          expectLength(raw, 4, type, number);
          return b.getInt();
        case 26:
          expectLength(raw, 4, type, number);
          return b.getInt() & 0xffffffffL;
        case 20:
          expectLength(raw, 8, type, number);
          return b.getLong();
        case 700:
          expectLength(raw, 4, type, number);
          return Double.valueOf(Float.toString(b.getFloat()));
        case 701:
          expectLength(raw, 8, type, number);
          return b.getDouble();
        case 1700:
          return readNumeric(b);
        case 17:
          return raw;
        case 1082:
          expectLength(raw, 4, type, number);
          return LocalDate.ofEpochDay(PG_EPOCH_DAY + b.getInt());
        case 1083:
          expectLength(raw, 8, type, number);
          return formatTime(LocalTime.ofNanoOfDay(b.getLong() * 1000));
        case 1114:
          expectLength(raw, 8, type, number);
          return fromMicros(b.getLong());
        case 1184:
          expectLength(raw, 8, type, number);
          return fromMicros(b.getLong()).atOffset(ZoneOffset.UTC);
        case 1186:
          {
            expectLength(raw, 16, type, number);
            long micros = b.getLong();
            int days = b.getInt();
            int months = b.getInt();
            return months + " months " + days + " days " + micros + " microseconds";
          }
        case 2950:
          expectLength(raw, 16, type, number);
          return new UUID(b.getLong(), b.getLong()).toString();
        default:
          return new String(raw, StandardCharsets.UTF_8);
      }
    } catch (PgException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new PgException(
          PgException.INVALID_BINARY_REPRESENTATION,
          "incorrect binary data format in parameter $" + number + " of type " + type.display());
    }
  }

  private static void expectLength(byte[] raw, int n, PgType type, int number) {
    if (raw.length != n) {
      throw new PgException(
          PgException.INVALID_BINARY_REPRESENTATION,
          "incorrect binary data format in parameter $"
              + number
              + ": "
              + type.display()
              + " takes "
              + n
              + " bytes, got "
              + raw.length);
    }
  }

  /** Reads PostgreSQL's binary numeric. */
  static Object readNumeric(ByteBuffer b) {
    int ndigits = b.getShort();
    int weight = b.getShort();
    int sign = b.getShort() & 0xffff;
    int dscale = b.getShort();
    if (sign == 0xC000) {
      return Double.NaN;
    }
    if (ndigits < 0 || dscale < 0 || (sign != 0 && sign != 0x4000)) {
      throw new IllegalArgumentException("bad numeric header");
    }
    BigInteger unscaled = BigInteger.ZERO;
    BigInteger base = BigInteger.valueOf(10_000);
    for (int i = 0; i < ndigits; i++) {
      int d = b.getShort();
      if (d < 0 || d > 9999) {
        throw new IllegalArgumentException("bad numeric digit");
      }
      unscaled = unscaled.multiply(base).add(BigInteger.valueOf(d));
    }
    if (b.hasRemaining()) {
      throw new IllegalArgumentException("trailing bytes");
    }
    BigDecimal v = new BigDecimal(unscaled).scaleByPowerOfTen(4 * (weight - ndigits + 1));
    v = v.setScale(dscale, RoundingMode.HALF_UP);
    return sign == 0x4000 ? v.negate() : v;
  }

  // ------------------------------------------------------------------ conversions

  private static boolean bool(Object v) {
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof Number n) {
      return n.longValue() != 0;
    }
    String s = v.toString().trim().toLowerCase(Locale.ROOT);
    return s.equals("t") || s.equals("true") || s.equals("1") || s.equals("yes") || s.equals("on");
  }

  private static Number number(Object v) {
    if (v instanceof Number n) {
      return n;
    }
    if (v instanceof Boolean b) {
      return b ? 1 : 0;
    }
    return new BigDecimal(v.toString().trim());
  }

  private static BigDecimal decimal(Object v) {
    if (v instanceof BigDecimal d) {
      return d;
    }
    if (v instanceof BigInteger i) {
      return new BigDecimal(i);
    }
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return BigDecimal.valueOf(((Number) v).longValue());
    }
    if (v instanceof Number n) {
      return new BigDecimal(n.toString());
    }
    return new BigDecimal(v.toString().trim());
  }

  private static byte[] bytes(Object v) {
    if (v instanceof byte[] b) {
      return b;
    }
    if (v instanceof ByteBuffer bb) {
      ByteBuffer d = bb.duplicate();
      byte[] out = new byte[d.remaining()];
      d.get(out);
      return out;
    }
    return v.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static LocalDate date(Object v) {
    if (v instanceof LocalDate d) {
      return d;
    }
    if (v instanceof LocalDateTime t) {
      return t.toLocalDate();
    }
    if (v instanceof java.sql.Date d) {
      return d.toLocalDate();
    }
    return parseDate(v.toString());
  }

  private static LocalTime time(Object v) {
    if (v instanceof LocalTime t) {
      return t;
    }
    if (v instanceof OffsetTime t) {
      return t.toLocalTime();
    }
    if (v instanceof java.sql.Time t) {
      return t.toLocalTime();
    }
    return LocalTime.parse(v.toString().trim());
  }

  private static LocalDateTime timestamp(Object v) {
    if (v instanceof LocalDateTime t) {
      return t;
    }
    if (v instanceof java.sql.Timestamp t) {
      return t.toLocalDateTime();
    }
    if (v instanceof OffsetDateTime t) {
      return t.toLocalDateTime();
    }
    if (v instanceof LocalDate d) {
      return d.atStartOfDay();
    }
    return parseTimestamp(v.toString());
  }

  private static OffsetDateTime timestamptz(Object v) {
    OffsetDateTime t;
    if (v instanceof OffsetDateTime o) {
      t = o;
    } else if (v instanceof Instant i) {
      t = i.atOffset(ZoneOffset.UTC);
    } else if (v instanceof ZonedDateTime z) {
      t = z.toOffsetDateTime();
    } else if (v instanceof java.sql.Timestamp ts) {
      t = ts.toInstant().atOffset(ZoneOffset.UTC);
    } else if (v instanceof LocalDateTime l) {
      t = l.atOffset(ZoneOffset.UTC);
    } else {
      t = parseTimestamptz(v.toString());
    }
    return t.withOffsetSameInstant(ZoneOffset.UTC);
  }

  private static long micros(LocalDateTime t) {
    long seconds = t.toEpochSecond(ZoneOffset.UTC) - PG_EPOCH_SECONDS;
    return Math.addExact(Math.multiplyExact(seconds, 1_000_000L), t.getNano() / 1000);
  }

  private static LocalDateTime fromMicros(long micros) {
    long seconds = Math.floorDiv(micros, 1_000_000L);
    int nanos = (int) Math.floorMod(micros, 1_000_000L) * 1000;
    return LocalDateTime.ofEpochSecond(seconds + PG_EPOCH_SECONDS, nanos, ZoneOffset.UTC);
  }

  // ------------------------------------------------------------------ text formatting

  static String formatDate(LocalDate d) {
    int year = d.getYear();
    boolean bc = year <= 0;
    StringBuilder sb = new StringBuilder(13);
    pad(sb, bc ? 1 - year : year, 4).append('-');
    pad(sb, d.getMonthValue(), 2).append('-');
    pad(sb, d.getDayOfMonth(), 2);
    if (bc) {
      sb.append(" BC");
    }
    return sb.toString();
  }

  static String formatTime(LocalTime t) {
    StringBuilder sb = new StringBuilder(15);
    appendTime(sb, t);
    return sb.toString();
  }

  static String formatTimestamp(LocalDateTime t) {
    int year = t.getYear();
    boolean bc = year <= 0;
    StringBuilder sb = new StringBuilder(26);
    pad(sb, bc ? 1 - year : year, 4).append('-');
    pad(sb, t.getMonthValue(), 2).append('-');
    pad(sb, t.getDayOfMonth(), 2).append(' ');
    appendTime(sb, t.toLocalTime());
    if (bc) {
      sb.append(" BC");
    }
    return sb.toString();
  }

  private static void appendTime(StringBuilder sb, LocalTime t) {
    pad(sb, t.getHour(), 2).append(':');
    pad(sb, t.getMinute(), 2).append(':');
    pad(sb, t.getSecond(), 2);
    int micros = t.getNano() / 1000;
    if (micros != 0) {
      String f = String.format("%06d", micros);
      int end = f.length();
      while (f.charAt(end - 1) == '0') {
        end--;
      }
      sb.append('.').append(f, 0, end);
    }
  }

  private static StringBuilder pad(StringBuilder sb, int v, int width) {
    String s = Integer.toString(v);
    for (int i = s.length(); i < width; i++) {
      sb.append('0');
    }
    return sb.append(s);
  }

  /**
   * A double the way PostgreSQL 12+ prints it: shortest exact form, exponent outside 1e-4..1e15.
   */
  static String formatDouble(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "Infinity" : "-Infinity";
    }
    if (d == 0) {
      return 1 / d < 0 ? "-0" : "0";
    }
    return formatShortest(new BigDecimal(Double.toString(d)), 15);
  }

  static String formatFloat(float f) {
    if (Float.isNaN(f)) {
      return "NaN";
    }
    if (Float.isInfinite(f)) {
      return f > 0 ? "Infinity" : "-Infinity";
    }
    if (f == 0) {
      return 1 / f < 0 ? "-0" : "0";
    }
    return formatShortest(new BigDecimal(Float.toString(f)), 6);
  }

  private static String formatShortest(BigDecimal value, int maxExponent) {
    BigDecimal v = value.stripTrailingZeros();
    int exponent = v.precision() - v.scale() - 1;
    if (exponent >= -4 && exponent < maxExponent) {
      return v.toPlainString();
    }
    String digits = v.unscaledValue().abs().toString();
    StringBuilder sb = new StringBuilder();
    if (v.signum() < 0) {
      sb.append('-');
    }
    sb.append(digits.charAt(0));
    if (digits.length() > 1) {
      sb.append('.').append(digits, 1, digits.length());
    }
    sb.append('e').append(exponent < 0 ? '-' : '+');
    int abs = Math.abs(exponent);
    if (abs < 10) {
      sb.append('0');
    }
    return sb.append(abs).toString();
  }

  static String byteaText(byte[] b) {
    char[] out = new char[2 + b.length * 2];
    out[0] = '\\';
    out[1] = 'x';
    for (int i = 0; i < b.length; i++) {
      out[2 + i * 2] = HEX[(b[i] >> 4) & 0xf];
      out[3 + i * 2] = HEX[b[i] & 0xf];
    }
    return new String(out);
  }

  /** The engine's interval text in PostgreSQL's style ({@code mons} instead of {@code months}). */
  private static String intervalText(Object v) {
    if (v instanceof Duration d) {
      long[] iv = {0, 0, d.toNanos() / 1000};
      return formatInterval(iv);
    }
    String s = v.toString();
    return s.replace("months", "mons").replace("month", "mon");
  }

  private static String formatInterval(long[] iv) {
    StringBuilder sb = new StringBuilder();
    long years = iv[0] / 12;
    long months = iv[0] % 12;
    if (years != 0) {
      sb.append(years).append(Math.abs(years) == 1 ? " year " : " years ");
    }
    if (months != 0) {
      sb.append(months).append(Math.abs(months) == 1 ? " mon " : " mons ");
    }
    if (iv[1] != 0) {
      sb.append(iv[1]).append(Math.abs(iv[1]) == 1 ? " day " : " days ");
    }
    long micros = iv[2];
    if (micros != 0 || sb.length() == 0) {
      if (micros < 0) {
        sb.append('-');
        micros = -micros;
      }
      long seconds = micros / 1_000_000;
      sb.append(String.format("%02d:%02d:%02d", seconds / 3600, (seconds / 60) % 60, seconds % 60));
      long fraction = micros % 1_000_000;
      if (fraction != 0) {
        sb.append('.').append(String.format("%06d", fraction).replaceFirst("0+$", ""));
      }
    }
    return sb.toString().trim();
  }

  /**
   * Parses interval text ({@code 1 year 2 months 3 days 04:05:06.789}, {@code -1 day -02:00:00},
   * {@code 36:00:00}, {@code 5 minutes}) into months, days and microseconds.
   */
  static long[] interval(String s) {
    long months = 0;
    long days = 0;
    long micros = 0;
    String rest = s;
    Matcher m = INTERVAL_UNIT.matcher(s);
    StringBuilder leftover = new StringBuilder();
    int last = 0;
    while (m.find()) {
      leftover.append(s, last, m.start()).append(' ');
      last = m.end();
      BigDecimal n = new BigDecimal(m.group(1));
      String unit = m.group(2).toLowerCase(Locale.ROOT);
      if (unit.startsWith("year")) {
        months += n.longValueExact() * 12;
      } else if (unit.startsWith("mon")) {
        months += n.longValueExact();
      } else if (unit.startsWith("day")) {
        days += n.longValueExact();
      } else if (unit.startsWith("hour")) {
        micros += n.multiply(BigDecimal.valueOf(3_600_000_000L)).longValue();
      } else if (unit.startsWith("min")) {
        micros += n.multiply(BigDecimal.valueOf(60_000_000L)).longValue();
      } else if (unit.startsWith("millisecond")) {
        micros += n.multiply(BigDecimal.valueOf(1_000L)).longValue();
      } else if (unit.startsWith("microsecond")) {
        micros += n.longValue();
      } else {
        micros += n.multiply(BigDecimal.valueOf(1_000_000L)).longValue();
      }
    }
    leftover.append(s.substring(last));
    rest = leftover.toString().trim();
    if (!rest.isEmpty()) {
      Matcher t = INTERVAL_TIME.matcher(rest);
      if (!t.matches()) {
        throw new IllegalArgumentException("not an interval: " + s);
      }
      long h = Long.parseLong(t.group(2));
      long min = Long.parseLong(t.group(3));
      long sec = t.group(4) == null ? 0 : Long.parseLong(t.group(4));
      long frac = 0;
      if (t.group(5) != null) {
        String f = (t.group(5) + "000000").substring(0, 6);
        frac = Long.parseLong(f);
      }
      long total = ((h * 60 + min) * 60 + sec) * 1_000_000L + frac;
      micros += "-".equals(t.group(1)) ? -total : total;
    }
    return new long[] {months, days, micros};
  }

  // ------------------------------------------------------------------ text parsing

  private static Boolean parseBool(String t, int number) {
    switch (t.toLowerCase(Locale.ROOT)) {
      case "t", "true", "y", "yes", "on", "1":
        return Boolean.TRUE;
      case "f", "false", "n", "no", "off", "0":
        return Boolean.FALSE;
      default:
        throw new PgException(
            PgException.INVALID_TEXT_REPRESENTATION,
            "invalid input syntax for type boolean in parameter $"
                + number
                + ": \""
                + abbreviate(t)
                + "\"");
    }
  }

  private static Double parseDouble(String t) {
    return switch (t.toLowerCase(Locale.ROOT)) {
      case "nan" -> Double.NaN;
      case "infinity", "inf", "+infinity", "+inf" -> Double.POSITIVE_INFINITY;
      case "-infinity", "-inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.valueOf(t);
    };
  }

  static byte[] parseBytea(String s) {
    if (s.startsWith("\\x")) {
      String hex = s.substring(2);
      if (hex.length() % 2 != 0) {
        throw new IllegalArgumentException("odd number of hex digits");
      }
      byte[] out = new byte[hex.length() / 2];
      for (int i = 0; i < out.length; i++) {
        out[i] = (byte) Integer.parseInt(hex.substring(i * 2, i * 2 + 2), 16);
      }
      return out;
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < b.length; i++) {
      if (b[i] == '\\') {
        if (i + 1 < b.length && b[i + 1] == '\\') {
          out.write('\\');
          i++;
        } else if (i + 3 < b.length) {
          out.write(Integer.parseInt(new String(b, i + 1, 3, StandardCharsets.US_ASCII), 8));
          i += 3;
        } else {
          throw new IllegalArgumentException("bad escape");
        }
      } else {
        out.write(b[i]);
      }
    }
    return out.toByteArray();
  }

  static LocalDate parseDate(String s) {
    Matcher m = DATE_TIME.matcher(s);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a date: " + s);
    }
    int year = Integer.parseInt(m.group(1));
    if ("BC".equals(m.group(9))) {
      year = 1 - year;
    }
    return LocalDate.of(year, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
  }

  /** Parses a timestamp; a zone suffix is ignored, as PostgreSQL's timestamp input does. */
  static LocalDateTime parseTimestamp(String s) {
    Matcher m = DATE_TIME.matcher(s);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a timestamp: " + s);
    }
    return localDateTime(m);
  }

  /** Parses a timestamp with zone; without a zone it is UTC. */
  static OffsetDateTime parseTimestamptz(String s) {
    Matcher m = DATE_TIME.matcher(s);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a timestamp: " + s);
    }
    return localDateTime(m).atOffset(offset(m.group(8)));
  }

  private static LocalDateTime localDateTime(Matcher m) {
    int year = Integer.parseInt(m.group(1));
    if ("BC".equals(m.group(9))) {
      year = 1 - year;
    }
    LocalDate date = LocalDate.of(year, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
    if (m.group(4) == null) {
      return date.atStartOfDay();
    }
    int nanos = 0;
    if (m.group(7) != null) {
      nanos = Integer.parseInt((m.group(7) + "000000000").substring(0, 9));
    }
    return date.atTime(
        Integer.parseInt(m.group(4)),
        Integer.parseInt(m.group(5)),
        m.group(6) == null ? 0 : Integer.parseInt(m.group(6)),
        nanos);
  }

  private static ZoneOffset offset(String zone) {
    if (zone == null || zone.equalsIgnoreCase("Z") || zone.equals("UTC")) {
      return ZoneOffset.UTC;
    }
    String digits = zone.substring(1).replace(":", "");
    int hours;
    int minutes = 0;
    int seconds = 0;
    if (digits.length() <= 2) {
      hours = Integer.parseInt(digits);
    } else {
      hours = Integer.parseInt(digits.substring(0, digits.length() % 2 == 0 ? 2 : 1));
      String mm = digits.substring(digits.length() % 2 == 0 ? 2 : 1);
      minutes = Integer.parseInt(mm.substring(0, 2));
      if (mm.length() >= 4) {
        seconds = Integer.parseInt(mm.substring(2, 4));
      }
    }
    int sign = zone.charAt(0) == '-' ? -1 : 1;
    return ZoneOffset.ofHoursMinutesSeconds(sign * hours, sign * minutes, sign * seconds);
  }

  private static String abbreviate(String s) {
    return s.length() > 100 ? s.substring(0, 100) + "…" : s;
  }
}
