package dev.basin.catalog.crawler;

import static dev.basin.catalog.crawler.Corpus.gzip;
import static dev.basin.catalog.crawler.Corpus.half;
import static dev.basin.catalog.crawler.Corpus.utf8;
import static dev.basin.catalog.crawler.Corpus.zstd;
import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.catalog.Column;
import dev.basin.common.error.BasinException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Classifier accuracy on a generated corpus with known ground truth. Prints one line per case and
 * fails listing every case that differs from its ground truth.
 */
class ClassifierCorpusTest {

  @TempDir Path dir;

  /** Ground truth: classification string (or "error:CODE"), compression, dialect, columns. */
  record Expect(
      String classification,
      String compression,
      String delimiter,
      Boolean header,
      Boolean quoted,
      String columns) {}

  record Case(String name, ObjectSample sample, Expect expect) {}

  private static final String SALES_TYPES =
      "price:decimal(6,2),qty:bigint,sold_on:date,sold_at:timestamp,active:boolean,ratio:double,note:string";
  private static final String SALES = "id:bigint," + SALES_TYPES;
  private static final String SALES_NO_HEADER =
      "col0:bigint,col1:decimal(6,2),col2:bigint,col3:date,col4:timestamp,col5:boolean,col6:double,col7:string";

  private List<Case> corpus() throws Exception {
    List<Case> cases = new ArrayList<>();
    byte[] sales = utf8(Corpus.sales(200, true, ','));
    add(cases, "csv typed with header", "sales.csv", sales, csv(",", true, false, SALES));
    add(
        cases,
        "csv typed without header",
        "sales_nh.csv",
        utf8(Corpus.sales(200, false, ',')),
        csv(",", false, false, SALES_NO_HEADER));
    add(
        cases,
        "tsv typed with header",
        "sales.tsv",
        utf8(Corpus.sales(50, true, '\t')),
        csv("\\t", true, false, SALES));
    add(
        cases,
        "pipe typed with header",
        "sales.psv",
        utf8(Corpus.sales(50, true, '|')),
        csv("|", true, false, SALES));
    add(
        cases,
        "semicolon typed with header",
        "sales.txt",
        utf8(Corpus.sales(50, true, ';')),
        csv(";", true, false, SALES));
    add(
        cases,
        "ctrl-A typed with header",
        "sales.hive",
        utf8(Corpus.sales(50, true, '\u0001')),
        csv("\\u0001", true, false, SALES));
    add(
        cases,
        "all-string with header",
        "customers.csv",
        utf8(Corpus.customers(100, true)),
        csv(",", true, false, "first_name:string,last_name:string,country:string,status:string"));
    add(
        cases,
        "all-string without header (values repeat)",
        "customers_nh.csv",
        utf8(Corpus.customers(100, false)),
        csv(",", false, false, "col0:string,col1:string,col2:string,col3:string"));
    add(
        cases,
        "all-string without header (unique values)",
        "fruit.csv",
        utf8(
            "apple,red,tree\nbanana,yellow,plant\ncherry,dark,bush\ndate,brown,palm\nelder,black,shrub\n"),
        csv(",", false, false, "col0:string,col1:string,col2:string"));
    add(
        cases,
        "all-string tsv with spaced header",
        "products.tsv",
        utf8(
            "product name\tcategory\tsku code\n"
                + "Green Tea\tDrinks\tGT-001\nBlack Tea\tDrinks\tBT-002\nRice Crackers\tSnacks\tRC-003\n"
                + "Dark Chocolate\tSnacks\tDC-004\nOat Milk\tDrinks\tOM-005\n"),
        csv("\\t", true, false, "product_name:string,category:string,sku_code:string"));
    add(
        cases,
        "quoted: embedded delimiter, quotes, newline",
        "comments.csv",
        utf8(
            "id,author,comment,amount\n"
                + "1,\"Smith, John\",\"said \"\"hi\"\", left\",10.50\n"
                + "2,\"Doe, Jane\",\"two\nlines\",3.25\n"
                + "3,Bob,plain,7\n"
                + "4,\"Roe, Rick\",\"a, b, c\",\\N\n"),
        csv(",", true, true, "id:bigint,author:string,comment:string,amount:decimal(4,2)"));
    add(
        cases,
        "pipe quoted with embedded pipe",
        "notes.psv",
        utf8("id|note|ok\n1|\"a | b\"|true\n2|\"c\"|false\n3|d|TRUE\n"),
        csv("|", true, true, "id:bigint,note:string,ok:boolean"));
    add(
        cases,
        "backslash-escaped quotes",
        "esc.csv",
        utf8("id,text\n1,\"he said \\\"yes\\\", then left\"\n2,\"plain\"\n3,\"x\"\n"),
        new Expect("csv", "none", ",", true, true, "id:bigint,text:string"));
    add(
        cases,
        "nulls do not vote, leading zeros stay strings",
        "nulls.csv",
        utf8(
            "id,zip,score,day\n1,02134,NULL,2024-01-02\n2,10115,\\N,\n3,,1.5e3,2024-02-30x\n4,90210,,2024-03-01\n"),
        csv(",", true, false, "id:bigint,zip:string,score:double,day:string"));
    add(
        cases,
        "decimal comma under ; stays string",
        "eu.csv",
        utf8("id;price;city\n1;12,50;Paris\n2;3,10;Lyon\n3;8,00;Nice\n"),
        csv(";", true, false, "id:bigint,price:string,city:string"));
    add(
        cases,
        "widening within rows",
        "widen.csv",
        utf8(
            "a,b,c,d,e\n1,1,2024-01-01,true,1\n2.5,2.25,2024-01-01 10:00:00,false,x\n3,3,2024-01-03,true,2\n"),
        csv(",", true, false, "a:decimal(2,1),b:decimal(3,2),c:timestamp,d:boolean,e:string"));
    add(cases, "gzip by magic and suffix", "sales.csv.gz", gzip(sales), csvz("gzip", SALES));
    add(cases, "gzip without suffix", "part-00000", gzip(sales), csvz("gzip", SALES));
    add(cases, "zstd by magic and suffix", "sales.csv.zst", zstd(sales), csvz("zstd", SALES));
    add(cases, "zstd misnamed .gz", "sales.csv.gz2", zstd(sales), csvz("zstd", SALES));
    add(
        cases,
        "truncated gzip (half the bytes)",
        "cut.csv.gz",
        half(gzip(sales)),
        csvz("gzip", SALES));
    // zstd decodes whole blocks (128 KiB): a cut inside the only block yields nothing, so the
    // readable case needs several blocks.
    byte[] bigSales = utf8(Corpus.sales(6000, true, ','));
    add(
        cases,
        "truncated zstd, several blocks",
        "cut.csv.zst",
        half(zstd(bigSales)),
        csvz("zstd", SALES));
    add(
        cases,
        "truncated zstd, inside the only block",
        "cut1.csv.zst",
        half(zstd(sales)),
        unknown());
    add(cases, "head-only sample cut mid-record", "big.csv", null, csv(",", true, false, SALES));
    cases.set(
        cases.size() - 1,
        new Case(
            "head-only sample cut mid-record",
            ObjectSample.of("big.csv", Arrays.copyOf(sales, 3001), sales.length, null),
            cases.get(cases.size() - 1).expect()));
    byte[] badUtf8 = utf8("id,name\n1,caf\u00e9\n2,x\n3,y\n");
    badUtf8[13] = (byte) 0xff; // replaces the first byte of é
    add(
        cases,
        "invalid UTF-8",
        "bad_utf8.csv",
        badUtf8,
        csv(",", true, false, "id:bigint,name:string"));
    add(
        cases,
        "a row with the wrong field count",
        "ragged.csv",
        utf8("id,name,amount\n1,a,1.50\n2,b\n3,c,2.75\n4,d,3.00\n5,e,4.00,extra\n"),
        csv(",", true, false, "id:bigint,name:string,amount:decimal(3,2)"));

    String events =
        "{\"id\":1,\"User\":{\"name\":\"ann\",\"age\":30},\"tags\":[\"x\",\"y\"],\"amount\":12.50,"
            + "\"ts\":\"2024-01-01T10:00:00Z\",\"mixed\":[1,\"a\",true],"
            + "\"items\":[{\"sku\":\"a\",\"qty\":1}]}\n"
            + "{\"id\":2,\"User\":{\"name\":\"bo\",\"email\":\"b@x.io\"},\"tags\":[],\"amount\":3,"
            + "\"ts\":\"2024-01-02\",\"mixed\":[2],\"items\":[{\"sku\":\"b\",\"qty\":2.5,\"note\":null}],"
            + "\"extra\":null}\n";
    String eventCols =
        "id:bigint,user:struct<name:string,age:bigint,email:string>,tags:array<string>,"
            + "amount:decimal(4,2),ts:timestamp,mixed:array<string>,"
            + "items:array<struct<sku:string,qty:decimal(2,1),note:string>>,extra:string";
    add(cases, "json lines nested", "events.json", utf8(events), json("none", "LINES", eventCols));
    add(
        cases,
        "json lines gzip",
        "events.json.gz",
        gzip(utf8(events)),
        json("gzip", "LINES", eventCols));
    add(
        cases,
        "json lines zstd",
        "events.jsonl.zst",
        zstd(utf8(events)),
        json("zstd", "LINES", eventCols));
    add(
        cases,
        "json array of objects",
        "events_array.json",
        utf8(
            "[\n {\"id\": 1, \"geo\": {\"lat\": 52.520008, \"lon\": 13.404954}},\n {\"id\": 2, \"geo\": null, \"ok\": true}\n]"),
        json("none", "ARRAY", "id:bigint,geo:struct<lat:double,lon:double>,ok:boolean"));
    add(
        cases,
        "pretty-printed concatenated objects",
        "pretty.json",
        utf8("{\n  \"a\": 1,\n  \"b\": \"x\"\n}\n{\n  \"a\": 2.5e3,\n  \"b\": \"y\"\n}\n"),
        json("none", "LINES", "a:double,b:string"));
    add(
        cases,
        "json lines with one corrupt line",
        "corrupt.jsonl",
        utf8("{\"a\":1}\n{\"a\":2,,}\n{\"a\":3}\n"),
        json("none", "LINES", "a:bigint"));
    StringBuilder noisy = new StringBuilder(events);
    Random rnd = new Random(3);
    for (int i = 0; i < 300; i++) {
      noisy
          .append("{\"id\":")
          .append(i)
          .append(",\"note\":\"")
          .append(Long.toHexString(rnd.nextLong()))
          .append("\"}\n");
    }
    add(
        cases,
        "json gzip truncated mid-record",
        "cut.json.gz",
        half(gzip(utf8(noisy.toString()))),
        json("gzip", "LINES", eventCols + ",note:string"));

    byte[] parquet = ParquetFiles.orders(dir);
    add(
        cases,
        "parquet footer",
        "orders.parquet",
        parquet,
        new Expect("parquet", "none", null, null, null, ParquetClassifierTest.EXPECTED_COLUMNS));
    add(
        cases,
        "truncated parquet",
        "cut.parquet",
        Arrays.copyOf(parquet, parquet.length - 10),
        new Expect("error:CORRUPT_OBJECT", null, null, null, null, null));
    byte[] random = new byte[4096];
    new Random(1).nextBytes(random);
    add(cases, "binary garbage", "blob.bin", random, unknown());
    add(cases, "empty object", "empty.csv", new byte[0], unknown());
    add(cases, "single column", "list.txt", utf8("alpha\nbeta\ngamma\n"), unknown());
    add(
        cases,
        "gzip of nothing readable",
        "bad.gz",
        new byte[] {0x1f, (byte) 0x8b, 8, 0, 0},
        unknown());
    return cases;
  }

  @Test
  void corpusMatchesGroundTruth() throws Exception {
    Classifier classifier = new Classifier(ClassifierConfig.defaults());
    List<String> failures = new ArrayList<>();
    StringBuilder table = new StringBuilder();
    table.append(
        String.format(
            Locale.ROOT,
            "%n%-46s | %-5s | %-10s | %-34s | %s%n",
            "case",
            "ok",
            "conf",
            "classification",
            "columns / error"));
    for (Case c : corpus()) {
      String actual;
      String conf = "-";
      String detail;
      try {
        Classification r = classifier.classify(c.sample());
        actual = describe(r);
        conf = String.format(Locale.ROOT, "%.2f", r.confidence());
        detail = columns(r.columns()) + "   [" + r.explanation() + "]";
      } catch (BasinException e) {
        actual = "error:" + e.code().name();
        detail = e.getMessage();
      }
      String expected = describe(c.expect());
      boolean ok = expected.equals(actual);
      if (!ok) {
        failures.add(
            c.name()
                + "\n    expected "
                + expected
                + "\n    actual   "
                + actual
                + "\n    "
                + detail);
      }
      table.append(
          String.format(
              Locale.ROOT,
              "%-46s | %-5s | %-10s | %-34s | %s%n",
              c.name(),
              ok ? "PASS" : "FAIL",
              conf,
              head(actual),
              detail));
    }
    System.out.println(table);
    assertThat(failures).as("cases that differ from the ground truth").isEmpty();
  }

  private static String head(String actual) {
    int i = actual.indexOf(" cols=");
    return i < 0 ? actual : actual.substring(0, i);
  }

  private static String describe(Classification r) {
    if (!r.recognized()) {
      return "UNKNOWN";
    }
    StringBuilder sb =
        new StringBuilder(r.classification()).append('/').append(r.compression().glueName());
    if (r.csvDialect() != null) {
      sb.append(" delim=")
          .append(r.csvDialect().delimiterName())
          .append(" header=")
          .append(r.csvDialect().header())
          .append(" quoted=")
          .append(r.csvDialect().quotedFields());
    }
    if (r.jsonLayout() != null) {
      sb.append(' ').append(r.jsonLayout());
    }
    return sb.append(" cols=").append(columns(r.columns())).toString();
  }

  private static String describe(Expect e) {
    if (e.classification().startsWith("error:") || e.classification().equals("UNKNOWN")) {
      return e.classification();
    }
    StringBuilder sb = new StringBuilder(e.classification()).append('/').append(e.compression());
    if (e.delimiter() != null) {
      sb.append(" delim=")
          .append(e.delimiter())
          .append(" header=")
          .append(e.header())
          .append(" quoted=")
          .append(e.quoted());
    }
    if (e.classification().equals("json")) {
      sb.append(' ').append(e.quoted() ? "ARRAY" : "LINES");
    }
    return sb.append(" cols=").append(e.columns()).toString();
  }

  private static String columns(List<Column> cols) {
    List<String> parts = new ArrayList<>();
    for (Column c : cols) {
      parts.add(c.name() + ":" + c.type());
    }
    return String.join(",", parts);
  }

  private static void add(List<Case> cases, String name, String object, byte[] bytes, Expect e) {
    cases.add(new Case(name, bytes == null ? null : ObjectSample.of(object, bytes), e));
  }

  private static Expect csv(String delim, boolean header, boolean quoted, String cols) {
    return new Expect("csv", "none", delim, header, quoted, cols);
  }

  private static Expect csvz(String compression, String cols) {
    return new Expect("csv", compression, ",", true, false, cols);
  }

  private static Expect json(String compression, String layout, String cols) {
    return new Expect("json", compression, null, null, layout.equals("ARRAY"), cols);
  }

  private static Expect unknown() {
    return new Expect("UNKNOWN", null, null, null, null, null);
  }
}
