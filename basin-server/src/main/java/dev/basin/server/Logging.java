package dev.basin.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Configures logback from Basin's settings: structured logs on stderr, either text with key=value
 * pairs or one JSON object per line. Stdout stays free for the ready line and CLI output.
 */
public final class Logging {
  private Logging() {}

  public static void configure(ServerConfig.LogFormat format, String level) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
      return;
    }
    ctx.reset();
    Encoder<ILoggingEvent> encoder;
    if (format == ServerConfig.LogFormat.JSON) {
      JsonEncoder json = new JsonEncoder();
      json.setContext(ctx);
      json.start();
      encoder = json;
    } else {
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setContext(ctx);
      text.setPattern("%d{ISO8601} %-5level [%thread] %logger{24} - %msg %kvp%n%ex");
      text.start();
      encoder = text;
    }
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(ctx);
    appender.setTarget("System.err");
    appender.setEncoder(encoder);
    appender.setName("stderr");
    appender.start();
    ch.qos.logback.classic.Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    root.addAppender(appender);
    root.setLevel(Level.toLevel(level, Level.INFO));
    ctx.getLogger("org.eclipse.jetty").setLevel(Level.WARN);
    ctx.getLogger("io.javalin").setLevel(Level.WARN);
  }

  /** Quiet logging for CLI client commands: warnings and errors only. */
  public static void quiet() {
    configure(ServerConfig.LogFormat.TEXT, "warn");
  }
}
