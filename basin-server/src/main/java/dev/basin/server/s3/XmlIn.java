package dev.basin.server.s3;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads a small S3 request document (a few KiB to about a MiB) into a tree of elements with the
 * JDK's StAX parser. DTDs, external entities and entity references are refused, so a document can
 * neither read files nor expand. Elements are matched by local name: clients send S3's namespace or
 * none.
 */
final class XmlIn {
  private static final XMLInputFactory FACTORY = newFactory();
  private static final int MAX_DEPTH = 32;

  private XmlIn() {}

  private static XMLInputFactory newFactory() {
    XMLInputFactory f = XMLInputFactory.newFactory();
    f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    f.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
    f.setProperty(XMLInputFactory.IS_COALESCING, true);
    f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
    return f;
  }

  /** One element: its local name, its text (trimmed) and its child elements in order. */
  record Element(String name, String text, List<Element> children) {
    /** The first child with this name, or null. */
    Element child(String childName) {
      for (Element c : children) {
        if (c.name.equals(childName)) {
          return c;
        }
      }
      return null;
    }

    /** Every child with this name, in order. */
    List<Element> all(String childName) {
      List<Element> out = new ArrayList<>();
      for (Element c : children) {
        if (c.name.equals(childName)) {
          out.add(c);
        }
      }
      return out;
    }

    /** The text of the first child with this name, or null. */
    String text(String childName) {
      Element c = child(childName);
      return c == null ? null : c.text;
    }
  }

  /**
   * Parses a document whose root element must be {@code expectedRoot}.
   *
   * @throws S3Exception {@code MalformedXML} for an empty, malformed or unexpected document
   */
  static Element parse(byte[] body, String expectedRoot) {
    if (body == null || body.length == 0) {
      throw S3Exception.malformedXml("the request body is empty; expected <" + expectedRoot + ">");
    }
    XMLStreamReader r = null;
    try {
      r = FACTORY.createXMLStreamReader(new ByteArrayInputStream(body));
      Element root = null;
      while (r.hasNext()) {
        int event = r.next();
        if (event == XMLStreamConstants.DTD || event == XMLStreamConstants.ENTITY_REFERENCE) {
          throw S3Exception.malformedXml("DTDs and entity references are not allowed");
        }
        if (event == XMLStreamConstants.START_ELEMENT) {
          root = element(r, 1);
          break;
        }
      }
      if (root == null) {
        throw S3Exception.malformedXml("no root element; expected <" + expectedRoot + ">");
      }
      if (!root.name().equals(expectedRoot)) {
        throw S3Exception.malformedXml(
            "expected root element <" + expectedRoot + ">, found <" + root.name() + ">");
      }
      while (r.hasNext()) {
        int event = r.next();
        if (event == XMLStreamConstants.START_ELEMENT
            || event == XMLStreamConstants.DTD
            || event == XMLStreamConstants.ENTITY_REFERENCE) {
          throw S3Exception.malformedXml("content after the root element");
        }
      }
      return root;
    } catch (XMLStreamException e) {
      throw S3Exception.malformedXml(e.getMessage().replace('\n', ' '));
    } finally {
      if (r != null) {
        try {
          r.close();
        } catch (XMLStreamException e) {
          // nothing to release for an in-memory document
        }
      }
    }
  }

  private static Element element(XMLStreamReader r, int depth) throws XMLStreamException {
    if (depth > MAX_DEPTH) {
      throw S3Exception.malformedXml("elements nested deeper than " + MAX_DEPTH);
    }
    String name = r.getLocalName();
    StringBuilder text = new StringBuilder();
    List<Element> children = new ArrayList<>();
    while (true) {
      int event = r.next();
      switch (event) {
        case XMLStreamConstants.START_ELEMENT -> children.add(element(r, depth + 1));
        case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE ->
            text.append(r.getText());
        case XMLStreamConstants.END_ELEMENT -> {
          return new Element(name, text.toString().strip(), children);
        }
        case XMLStreamConstants.ENTITY_REFERENCE, XMLStreamConstants.DTD ->
            throw S3Exception.malformedXml("DTDs and entity references are not allowed");
        case XMLStreamConstants.END_DOCUMENT ->
            throw S3Exception.malformedXml("the document ends inside <" + name + ">");
        default -> {
          // comments and processing instructions carry nothing
        }
      }
    }
  }
}
