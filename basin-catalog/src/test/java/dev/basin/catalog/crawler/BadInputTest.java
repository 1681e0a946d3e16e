package dev.basin.catalog.crawler;

import static dev.basin.catalog.crawler.Corpus.gzip;
import static dev.basin.catalog.crawler.Corpus.half;
import static dev.basin.catalog.crawler.Corpus.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Bad input is classified with a documented fallback and an explanation, never a crash. */
class BadInputTest {

  private final Classifier classifier = new Classifier(ClassifierConfig.defaults());

  @Test
  void invalidUtf8IsReplacedCountedAndLowersConfidence() {
    byte[] bytes = utf8("id,name\n1,abc\n2,x\n3,y\n");
    bytes[11] = (byte) 0xfe;
    Classification c = classifier.classify(ObjectSample.of("u.csv", bytes));
    assertThat(c.classification()).isEqualTo("csv");
    assertThat(c.explanation()).contains("1 invalid UTF-8 sequences were replaced by U+FFFD");
    assertThat(c.confidence()).isLessThan(1.0);
  }

  @Test
  void truncatedGzipIsClassifiedFromTheReadablePrefix() {
    byte[] bytes = half(gzip(utf8(Corpus.sales(300, true, ','))));
    Classification c = classifier.classify(ObjectSample.of("t.csv.gz", bytes));
    assertThat(c.classification()).isEqualTo("csv");
    assertThat(c.explanation())
        .contains("gzip stream ended early")
        .contains("truncated or corrupt");
    assertThat(c.confidence()).isLessThan(1.0);
  }

  @Test
  void headOfACompressedObjectIsNotReportedAsCorrupt() {
    byte[] whole = gzip(utf8(Corpus.sales(300, true, ',')));
    ObjectSample sample =
        ObjectSample.of("h.csv.gz", Arrays.copyOf(whole, whole.length / 2), whole.length, null);
    Classification c = classifier.classify(sample);
    assertThat(c.classification()).isEqualTo("csv");
    assertThat(c.explanation()).doesNotContain("truncated or corrupt");
  }

  @Test
  void unknownObjectsSayWhy() {
    assertThat(classifier.classify(ObjectSample.of("e", new byte[0])).explanation())
        .isEqualTo("the object is empty");
    assertThat(classifier.classify(ObjectSample.of("w", utf8("  \n\n"))).explanation())
        .isEqualTo("the object holds only whitespace");
    assertThat(
            classifier
                .classify(ObjectSample.of("n", new byte[] {'a', 0, 'b', ',', 'c'}))
                .explanation())
        .startsWith("binary content");
    assertThat(classifier.classify(ObjectSample.of("one", utf8("a,b\n"))).explanation())
        .isEqualTo("fewer than 2 records");
    assertThat(
            classifier
                .classify(ObjectSample.of("p.gz", gzip(ParquetFilesMagic.BYTES)))
                .explanation())
        .startsWith("a compressed Parquet file");
  }

  @Test
  void unterminatedQuoteInACompleteFileIsReported() {
    Classification c =
        classifier.classify(
            ObjectSample.of("q.csv", utf8("id,t\n1,a\n2,b\n3,\"never closed\n4,x\n")));
    assertThat(c.classification()).isEqualTo("csv");
    assertThat(c.explanation()).contains("never closed");
  }

  @Test
  void jsonThatIsNotObjectsFallsBackToCsvOrUnknown() {
    Classification c = classifier.classify(ObjectSample.of("s.json", utf8("[1,2,3]\n")));
    assertThat(c.recognized()).isFalse();
    Classification broken =
        classifier.classify(ObjectSample.of("b.json", utf8("{not json at all\n")));
    assertThat(broken.recognized()).isFalse();
  }

  /** The Parquet magic followed by junk. */
  static final class ParquetFilesMagic {
    static final byte[] BYTES = utf8("PAR1 not really parquet PAR1");
  }
}
