package dev.basin.catalog.crawler;

import static dev.basin.catalog.crawler.Corpus.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.catalog.Column;
import dev.basin.common.error.BasinException;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TypeInferenceTest {

  private final Classifier classifier = new Classifier(ClassifierConfig.defaults());

  private static String infer(String... values) {
    TypeAccumulator acc = new TypeAccumulator(4);
    for (String v : values) {
      acc.addText(v);
    }
    return acc.result().toString();
  }

  @Test
  void scalarValues() {
    assertThat(infer("1", "-42", "+7")).isEqualTo("bigint");
    assertThat(infer("0")).isEqualTo("bigint");
    assertThat(infer("007")).isEqualTo("string");
    assertThat(infer("12345678901234567890")).isEqualTo("decimal(20,0)");
    assertThat(infer("12.50", "3.00", "0.99")).isEqualTo("decimal(4,2)");
    assertThat(infer("3.14159")).isEqualTo("double");
    assertThat(infer("1e10", "2")).isEqualTo("double");
    assertThat(infer("NaN", "1.5")).isEqualTo("double");
    assertThat(infer("true", "FALSE")).isEqualTo("boolean");
    assertThat(infer("2024-02-29")).isEqualTo("date");
    assertThat(infer("2023-02-29")).isEqualTo("string");
    assertThat(infer("2024-01-01 10:00:00", "2024-01-01T10:00:00.123456", "2024-01-01T10:00Z"))
        .isEqualTo("timestamp");
    assertThat(infer("2024-01-01 25:00:00")).isEqualTo("string");
    assertThat(infer("01/15/2024")).isEqualTo("string");
    assertThat(infer()).isEqualTo("string");
  }

  @Test
  void wideningLattice() {
    assertThat(infer("1", "2.5e0")).isEqualTo("double");
    assertThat(infer("100", "2.25")).isEqualTo("decimal(5,2)");
    assertThat(infer("2024-01-01", "2024-01-01 00:00:01")).isEqualTo("timestamp");
    assertThat(infer("1", "true")).isEqualTo("string");
    assertThat(infer("1", "2024-01-01")).isEqualTo("string");
    assertThat(infer("1", "abc")).isEqualTo("string");
  }

  @Test
  void maxDecimalScaleZeroMeansDoubleLikeGlue() {
    TypeAccumulator acc = new TypeAccumulator(0);
    acc.addText("12.50");
    assertThat(acc.result().toString()).isEqualTo("double");
  }

  @Test
  void widensAcrossFilesOfATable() {
    ObjectSample a =
        ObjectSample.of(
            "a.csv", utf8("id,amount,day,flag\n1,10,2024-01-01,x\n2,20,2024-01-02,y\n"));
    ObjectSample b =
        ObjectSample.of(
            "b.csv",
            utf8("id,amount,day,extra\n3,2.50,2024-01-03 10:00:00,1\n4,1.25,2024-01-04,2\n"));
    ObjectSample c =
        ObjectSample.of("c.csv", utf8("id,amount,day\n5,1e3,2024-01-05\n6,7,2024-01-06\n"));
    Classification two = classifier.classifyTable(List.of(a, b));
    assertThat(cols(two.columns()))
        .isEqualTo("id:bigint,amount:decimal(4,2),day:timestamp,flag:string,extra:bigint");
    assertThat(two.tableParameters()).containsEntry("skip.header.line.count", "1");
    Classification three = classifier.classifyTable(List.of(a, b, c));
    assertThat(cols(three.columns()))
        .isEqualTo("id:bigint,amount:double,day:timestamp,flag:string,extra:bigint");
    assertThat(three.explanation()).contains("3 of 3 objects sampled");
  }

  @Test
  void filesPerTableLimitsTheSample() {
    ObjectSample a = ObjectSample.of("a.csv", utf8("id,v\n1,2\n2,3\n"));
    ObjectSample b = ObjectSample.of("b.csv", utf8("id,v\n1,x\n2,y\n"));
    Classifier one = new Classifier(ClassifierConfig.defaults().withFilesPerTable(1));
    assertThat(cols(one.classifyTable(List.of(a, b)).columns())).isEqualTo("id:bigint,v:bigint");
    assertThat(cols(classifier.classifyTable(List.of(a, b)).columns()))
        .isEqualTo("id:bigint,v:string");
  }

  @Test
  void jsonFilesMergeNestedFields() {
    ObjectSample a = ObjectSample.of("a.json", utf8("{\"id\":1,\"u\":{\"n\":\"a\"},\"l\":[1]}\n"));
    ObjectSample b =
        ObjectSample.of(
            "b.json", utf8("{\"id\":2.5e3,\"u\":{\"m\":2},\"l\":[\"x\"],\"z\":true}\n"));
    Classification t = classifier.classifyTable(List.of(a, b));
    assertThat(cols(t.columns()))
        .isEqualTo("id:double,u:struct<n:string,m:bigint>,l:array<string>,z:boolean");
    assertThat(t.serdeParameters()).containsEntry("paths", "id,u,l,z");
  }

  @Test
  void quotedFileMakesTheTableOpenCsv() {
    ObjectSample a = ObjectSample.of("a.csv", utf8("id,name\n1,a\n2,b\n"));
    ObjectSample b = ObjectSample.of("b.csv", utf8("id,name\n3,\"c, d\"\n4,e\n"));
    Classification t = classifier.classifyTable(List.of(a, b));
    assertThat(t.serdeLibrary()).isEqualTo(dev.basin.catalog.DataFormat.OPEN_CSV_SERDE);
    assertThat(t.serdeParameters())
        .containsEntry("separatorChar", ",")
        .containsEntry("quoteChar", "\"");
    assertThat(t.tableParameters()).containsEntry("areColumnsQuoted", "true");
  }

  @Test
  void incompatibleFilesAreRefusedWithBothNames() {
    ObjectSample a = ObjectSample.of("a.csv", utf8("id,name\n1,a\n2,b\n"));
    ObjectSample b = ObjectSample.of("b.json", utf8("{\"id\":1}\n"));
    assertThatThrownBy(() -> classifier.classifyTable(List.of(a, b)))
        .isInstanceOf(BasinException.class)
        .hasMessageContaining("'a.csv' is csv/none/delimiter ','")
        .hasMessageContaining("'b.json' is json/none/lines");
  }

  @Test
  void lazySimpleSerdeParametersForUnquotedCsv() {
    Classification c = classifier.classify(ObjectSample.of("t.tsv", utf8("a\tb\n1\tx\n2\ty\n")));
    assertThat(c.serdeLibrary()).isEqualTo("org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe");
    assertThat(c.serdeParameters())
        .containsEntry("field.delim", "\t")
        .containsEntry("serialization.format", "\t");
    assertThat(c.tableParameters())
        .containsEntry("classification", "csv")
        .containsEntry("delimiter", "\t")
        .containsEntry("areColumnsQuoted", "false")
        .containsEntry("skip.header.line.count", "1")
        .containsEntry("compressionType", "none");
  }

  @Test
  void sampleRowsLimitsInference() {
    StringBuilder sb = new StringBuilder("id,v\n");
    for (int i = 0; i < 50; i++) {
      sb.append(i).append(",").append(i).append('\n');
    }
    sb.append("99,oops\n");
    Classifier small = new Classifier(ClassifierConfig.defaults().withSampleRows(20));
    assertThat(cols(small.classify(ObjectSample.of("s.csv", utf8(sb.toString()))).columns()))
        .isEqualTo("id:bigint,v:bigint");
    assertThat(cols(classifier.classify(ObjectSample.of("s.csv", utf8(sb.toString()))).columns()))
        .isEqualTo("id:bigint,v:string");
  }

  @Test
  void jsonKeysThatAreNotColumnNamesGetAMapping() {
    Classification c =
        classifier.classify(
            ObjectSample.of(
                "k.json", utf8("{\"@timestamp\":\"2024-01-01T00:00:00Z\",\"user-id\":1}\n")));
    assertThat(cols(c.columns())).isEqualTo("timestamp:timestamp,user_id:bigint");
    assertThat(c.serdeParameters())
        .containsEntry("mapping.timestamp", "@timestamp")
        .containsEntry("mapping.user_id", "user-id");
  }

  @Test
  void configIsValidated() {
    assertThatThrownBy(() -> ClassifierConfig.defaults().withSampleRows(1))
        .isInstanceOf(BasinException.class)
        .hasMessage("sampleRows must be between 2 and 1000000, was 1");
    assertThatThrownBy(() -> ClassifierConfig.defaults().withFilesPerTable(250))
        .hasMessage("filesPerTable must be between 1 and 249, was 250");
  }

  static String cols(List<Column> columns) {
    return columns.stream().map(c -> c.name() + ":" + c.type()).collect(Collectors.joining(","));
  }
}
