package dev.basin.stream.generate;

import dev.basin.common.error.BasinException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A record template in the Amazon Kinesis Data Generator (KDG) syntax: literal text with {@code {{
 * helper }}} or {@code {{ helper(arguments) }}} placeholders, where helpers are KDG's faker.js
 * names ({@code name.firstName}, {@code random.number({"min": 1, "max": 10})}, {@code
 * date.now("YYYY-MM-DD")}; see {@link #supported()}).
 *
 * <p>A template is parsed once into literal and helper parts; rendering does no parsing or regular
 * expression matching. Every error is found at parse time: an unknown helper, a malformed
 * placeholder or arguments a helper cannot use fail {@link #parse} with a {@link BasinException}
 * ({@code INVALID_ARGUMENT}) naming the helper, the {@code line:column} and close matches.
 *
 * <p>Differences from KDG: arguments may span several values ({@code commerce.price(10, 100)}),
 * strings may use single quotes and object keys need no quotes; {@code date.past} and the other
 * date-valued helpers render ISO-8601 UTC ({@code 2024-05-01T12:34:56.789Z}) instead of
 * JavaScript's {@code Date.toString()}; array and object values render as JSON. Like KDG, helpers
 * are named without faker.js's {@code faker.} prefix.
 *
 * <p>Immutable and thread-safe; rendering state lives in the {@link RenderContext}.
 */
public final class Template {
  private final String source;
  private final Part[] parts;
  private final List<String> helpers;

  private Template(String source, List<Part> parts, Set<String> helpers) {
    this.source = source;
    this.parts = parts.toArray(new Part[0]);
    this.helpers = List.copyOf(helpers);
  }

  /**
   * Parses a template the way KDG reads its "Record template" box: leading and trailing whitespace
   * is dropped and so are line breaks in the literal text, so a pretty-printed JSON template
   * renders one line per record.
   *
   * @throws BasinException {@code INVALID_ARGUMENT} for an unknown helper, a malformed placeholder
   *     or arguments the helper cannot use; the message gives the {@code line:column}
   */
  public static Template parse(String text) {
    return new Parser(Objects.requireNonNull(text, "text"), true).parse();
  }

  /**
   * Parses a template keeping its literal text exactly, line breaks and surrounding whitespace
   * included.
   *
   * @throws BasinException as {@link #parse}
   */
  public static Template parseVerbatim(String text) {
    return new Parser(Objects.requireNonNull(text, "text"), false).parse();
  }

  /** Renders one record. Each call reads the context's clock once and draws from its random. */
  public String render(RenderContext ctx) {
    StringBuilder out = ctx.beginRender();
    for (Part part : parts) {
      part.render(out, ctx);
    }
    return out.toString();
  }

  /** Renders one record, appending it to {@code out}. */
  public void renderTo(StringBuilder out, RenderContext ctx) {
    ctx.beginRender();
    for (Part part : parts) {
      part.render(out, ctx);
    }
  }

  /** The text this template was parsed from. */
  public String source() {
    return source;
  }

  /** The distinct helper names the template uses, in order of first use. */
  public List<String> helpers() {
    return helpers;
  }

  /** Every supported helper with its usage and a one-line description, grouped by namespace. */
  public static List<HelperInfo> supported() {
    return Helpers.infos();
  }

  /** {@link #supported()} as aligned text, one helper a line, for {@code --list-helpers}. */
  public static String supportedListing() {
    int width = 0;
    for (HelperInfo info : supported()) {
      width = Math.max(width, info.usage().length());
    }
    StringBuilder sb = new StringBuilder();
    for (HelperInfo info : supported()) {
      sb.append(info.usage());
      sb.append(" ".repeat(width - info.usage().length() + 2));
      sb.append(info.description()).append('\n');
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return "Template" + helpers;
  }

  /** One parse of one template text; not reusable. */
  private static final class Parser {
    private final SourceText src;
    private final boolean kdg;
    private final List<Part> parts = new ArrayList<>();
    private final Set<String> helpers = new LinkedHashSet<>();
    private final StringBuilder literal = new StringBuilder();

    Parser(String text, boolean kdg) {
      this.src = new SourceText(text);
      this.kdg = kdg;
    }

    Template parse() {
      String text = src.text();
      int start = 0;
      int end = text.length();
      if (kdg) {
        while (start < end && Character.isWhitespace(text.charAt(start))) {
          start++;
        }
        while (end > start && Character.isWhitespace(text.charAt(end - 1))) {
          end--;
        }
      }
      int i = start;
      while (i < end) {
        if (text.startsWith("{{", i)) {
          flushLiteral();
          i = placeholder(i);
          continue;
        }
        char c = text.charAt(i++);
        if (!kdg || (c != '\n' && c != '\r')) {
          literal.append(c);
        }
      }
      flushLiteral();
      return new Template(text, parts, helpers);
    }

    private void flushLiteral() {
      if (literal.length() > 0) {
        String s = literal.toString();
        parts.add((out, ctx) -> out.append(s));
        literal.setLength(0);
      }
    }

    /** Parses the placeholder opening at {@code open}; returns the index just after it. */
    private int placeholder(int open) {
      int i = skipSpace(open + 2);
      int nameStart = i;
      i = readName(i);
      String name = src.text().substring(nameStart, i);
      if (name.isEmpty()) {
        if (src.text().startsWith("}}", nameStart)) {
          throw SourceText.invalid("empty placeholder '{{}}' at " + src.position(open));
        }
        if (src.text().indexOf("}}", open + 2) < 0) {
          throw unclosed(open);
        }
        throw SourceText.invalid(
            "malformed placeholder at "
                + src.position(nameStart)
                + ": expected a helper name such as name.firstName after '{{' but found "
                + found(nameStart));
      }
      Helpers.Spec spec = Helpers.find(name);
      if (spec == null) {
        throw unknownHelper(name, nameStart);
      }
      i = skipSpace(i);
      List<Object> args = List.of();
      int argsStart = i;
      if (i < src.length() && src.charAt(i) == '(') {
        ArgReader reader = new ArgReader(src, i + 1);
        try {
          args = reader.readArguments();
          i = reader.position();
        } catch (ArgReader.SyntaxError e) {
          int close = src.text().indexOf(')', i + 1);
          if (spec.takesText() && close > 0 && !src.text().substring(i + 1, close).contains("}}")) {
            // KDG passes arguments that are not JSON to the helper as text: date.now(YYYY-MM-DD)
            args = List.of(src.text().substring(i + 1, close).trim());
            i = close + 1;
          } else {
            if (e.index >= src.length()) {
              throw unclosed(open);
            }
            throw SourceText.invalid(
                "invalid arguments for "
                    + name
                    + " at "
                    + src.position(e.index)
                    + ": "
                    + e.getMessage()
                    + "; usage: "
                    + spec.info().usage());
          }
        }
        i = skipSpace(i);
      }
      if (!src.text().startsWith("}}", i)) {
        if (src.text().indexOf("}}", i) < 0) {
          throw unclosed(open);
        }
        throw SourceText.invalid(
            "malformed placeholder at "
                + src.position(i)
                + ": expected '}}' after "
                + name
                + " but found "
                + found(i)
                + "; usage: "
                + spec.info().usage());
      }
      Part part;
      try {
        part = spec.binder().bind(new HelperArgs(args));
      } catch (HelperArgs.Invalid e) {
        throw SourceText.invalid(
            "invalid arguments for "
                + name
                + " at "
                + src.position(argsStart < i ? argsStart : nameStart)
                + ": "
                + name
                + " "
                + e.getMessage()
                + "; usage: "
                + spec.info().usage());
      }
      parts.add(part);
      helpers.add(name);
      return i + 2;
    }

    private int readName(int i) {
      int start = i;
      if (i >= src.length() || !ArgReader.isIdentifierStart(src.charAt(i))) {
        return i;
      }
      while (i < src.length()) {
        char c = src.charAt(i);
        if (ArgReader.isIdentifierPart(c)) {
          i++;
        } else if (c == '.'
            && i > start
            && i + 1 < src.length()
            && ArgReader.isIdentifierStart(src.charAt(i + 1))) {
          i++;
        } else {
          break;
        }
      }
      return i;
    }

    private int skipSpace(int i) {
      while (i < src.length() && Character.isWhitespace(src.charAt(i))) {
        i++;
      }
      return i;
    }

    private String found(int i) {
      if (i >= src.length()) {
        return "the end of the template";
      }
      return "'" + src.charAt(i) + "'";
    }

    private BasinException unclosed(int open) {
      return SourceText.invalid(
          "unclosed '{{' at " + src.position(open) + ": no matching '}}' follows");
    }

    private BasinException unknownHelper(String name, int at) {
      List<String> close = Helpers.closeMatches(name);
      StringBuilder msg =
          new StringBuilder("unknown helper '")
              .append(name)
              .append("' at ")
              .append(src.position(at));
      if (name.startsWith("faker.")) {
        msg.append("; KDG templates name helpers without the 'faker.' prefix");
      }
      if (close.isEmpty()) {
        msg.append("; run with --list-helpers to see the supported helpers");
      } else {
        msg.append("; did you mean ");
        for (int k = 0; k < close.size(); k++) {
          if (k > 0) {
            msg.append(k == close.size() - 1 ? " or " : ", ");
          }
          msg.append(close.get(k));
        }
        msg.append('?');
      }
      return SourceText.invalid(msg.toString());
    }
  }
}
