package dev.basin.catalog.crawler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.basin.catalog.Column;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchemaMergerTest {

  @Test
  void unionInFirstSeenOrderWithWidenedTypes() {
    List<Column> a =
        List.of(
            new Column("id", "bigint", "key"),
            Column.of("amount", "bigint"),
            Column.of("day", "date"));
    List<Column> b =
        List.of(
            Column.of("ID", "double"),
            Column.of("note", "string"),
            Column.of("day", "timestamp"),
            Column.of("amount", "decimal(10,2)"));
    assertThat(TypeInferenceTest.cols(SchemaMerger.merge(a, b)))
        .isEqualTo("id:double,amount:decimal(21,2),day:timestamp,note:string");
    assertThat(SchemaMerger.merge(a, b).get(0).comment()).isEqualTo("key");
  }

  @Test
  void wideningRules() {
    assertThat(SchemaMerger.widen("int", "int")).isEqualTo("int");
    assertThat(SchemaMerger.widen("int", "bigint")).isEqualTo("bigint");
    assertThat(SchemaMerger.widen("bigint", "double")).isEqualTo("double");
    assertThat(SchemaMerger.widen("decimal(5,2)", "decimal(10,4)")).isEqualTo("decimal(10,4)");
    assertThat(SchemaMerger.widen("decimal(38,0)", "decimal(10,6)")).isEqualTo("double");
    assertThat(SchemaMerger.widen("decimal(10,6)", "bigint")).isEqualTo("decimal(25,6)");
    assertThat(SchemaMerger.widen("date", "timestamp")).isEqualTo("timestamp");
    assertThat(SchemaMerger.widen("boolean", "bigint")).isEqualTo("string");
    assertThat(SchemaMerger.widen("varchar(10)", "string")).isEqualTo("string");
    assertThat(SchemaMerger.widen("binary", "string")).isEqualTo("string");
    assertThat(SchemaMerger.widen("map<string,int>", "map<string,bigint>")).isEqualTo("string");
    assertThat(SchemaMerger.widen("struct<a:int,b:string>", "struct<a:double,c:date>"))
        .isEqualTo("struct<a:double,b:string,c:date>");
    assertThat(SchemaMerger.widen("array<bigint>", "array<string>")).isEqualTo("array<string>");
    assertThat(SchemaMerger.widen("array<bigint>", "struct<a:int>")).isEqualTo("string");
  }
}
