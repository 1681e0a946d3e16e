package dev.basin.server.s3;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * Writes one S3 XML document with the JDK's {@link XMLStreamWriter}: the root element carries S3's
 * namespace, text is escaped by the writer. Not thread-safe; one instance per response.
 */
final class XmlOut {
  static final String NS = "http://s3.amazonaws.com/doc/2006-03-01/";
  private static final XMLOutputFactory FACTORY = XMLOutputFactory.newFactory();

  /** S3's timestamp format in XML: ISO 8601 with milliseconds. */
  private static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
          .withZone(java.time.ZoneOffset.UTC);

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
  private final XMLStreamWriter w;

  private XmlOut(String root, boolean namespaced) {
    try {
      w = FACTORY.createXMLStreamWriter(bytes, "UTF-8");
      w.writeStartDocument("UTF-8", "1.0");
      w.writeStartElement(root);
      if (namespaced) {
        w.writeDefaultNamespace(NS);
      }
    } catch (XMLStreamException e) {
      throw new IllegalStateException("cannot start XML document", e);
    }
  }

  /** A document whose root element is in S3's namespace. */
  static XmlOut document(String root) {
    return new XmlOut(root, true);
  }

  /** A document without a namespace (S3's {@code <Error>}). */
  static XmlOut plain(String root) {
    return new XmlOut(root, false);
  }

  static String timestamp(Instant t) {
    return ISO_MILLIS.format(t);
  }

  XmlOut start(String name) {
    try {
      w.writeStartElement(name);
    } catch (XMLStreamException e) {
      throw new IllegalStateException(e);
    }
    return this;
  }

  XmlOut end() {
    try {
      w.writeEndElement();
    } catch (XMLStreamException e) {
      throw new IllegalStateException(e);
    }
    return this;
  }

  /** {@code <name>text</name>}; nothing when {@code text} is null. */
  XmlOut element(String name, Object text) {
    if (text == null) {
      return this;
    }
    try {
      w.writeStartElement(name);
      w.writeCharacters(xmlSafe(text.toString()));
      w.writeEndElement();
    } catch (XMLStreamException e) {
      throw new IllegalStateException(e);
    }
    return this;
  }

  XmlOut element(String name, Instant time) {
    return time == null ? this : element(name, timestamp(time));
  }

  /** The finished document. */
  byte[] toBytes() {
    try {
      w.writeEndDocument();
      w.flush();
      w.close();
    } catch (XMLStreamException e) {
      throw new IllegalStateException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * XML 1.0 cannot carry most control characters even escaped; S3 answers such keys only with
   * {@code encoding-type=url}. Replace them so the document stays well-formed.
   */
  private static String xmlSafe(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0xFFFE || c == 0xFFFF) {
        StringBuilder out = new StringBuilder(s.length());
        for (int j = 0; j < s.length(); j++) {
          char d = s.charAt(j);
          boolean bad =
              d < 0x20 && d != '\t' && d != '\n' && d != '\r' || d == 0xFFFE || d == 0xFFFF;
          out.append(bad ? '\uFFFD' : d);
        }
        return out.toString();
      }
    }
    return s;
  }
}
