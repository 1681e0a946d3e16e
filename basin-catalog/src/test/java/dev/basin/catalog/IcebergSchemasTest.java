package dev.basin.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.common.error.BasinException;
import java.util.List;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

class IcebergSchemasTest {

  @Test
  void glueColumnsBecomeAnIcebergSchemaAndBack() {
    Schema schema =
        IcebergSchemas.schema(
            List.of(
                Column.of("id", "bigint"),
                Column.of("price", "decimal(10,2)"),
                Column.of("ts", "timestamp"),
                Column.of("tsz", "timestamptz"),
                Column.of("small", "smallint"),
                Column.of("name", "varchar(20)"),
                Column.of("tags", "array<string>"),
                Column.of("attrs", "map<string,bigint>"),
                Column.of("address", "struct<city:string,zip:int>")));
    assertThat(schema.findType("id")).isEqualTo(Types.LongType.get());
    assertThat(schema.findType("price")).isEqualTo(Types.DecimalType.of(10, 2));
    assertThat(schema.findType("ts")).isEqualTo(Types.TimestampType.withoutZone());
    assertThat(schema.findType("tsz")).isEqualTo(Types.TimestampType.withZone());
    assertThat(schema.findType("small")).isEqualTo(Types.IntegerType.get());
    assertThat(schema.findType("name")).isEqualTo(Types.StringType.get());
    assertThat(schema.findType("address.zip")).isEqualTo(Types.IntegerType.get());
    List<String> back =
        schema.columns().stream().map(f -> IcebergSchemas.glueType(f.type())).toList();
    assertThat(back)
        .containsExactly(
            "bigint",
            "decimal(10,2)",
            "timestamp",
            "timestamptz",
            "int",
            "string",
            "array<string>",
            "map<string,bigint>",
            "struct<city:string,zip:int>");
  }

  @Test
  void partitionTermsRoundTrip() {
    Schema schema =
        IcebergSchemas.schema(
            List.of(
                Column.of("id", "bigint"),
                Column.of("region", "string"),
                Column.of("ts", "timestamp")));
    List<String> terms = List.of("region", "day(ts)", "bucket(16, id)", "truncate(4, region)");
    PartitionSpec spec = IcebergSchemas.spec(schema, terms);
    assertThat(spec.fields()).hasSize(4);
    assertThat(IcebergSchemas.terms(spec)).containsExactlyElementsOf(terms);
  }

  @Test
  void badInputNamesTheColumnOrTerm() {
    assertThatThrownBy(() -> IcebergSchemas.schema(List.of(Column.of("id", "bigintt"))))
        .isInstanceOf(BasinException.class)
        .hasMessageContaining("column 'id'");
    assertThatThrownBy(() -> IcebergSchemas.schema(List.of(Column.of("Id", "bigint"))))
        .hasMessageContaining("lower case");
    assertThatThrownBy(
            () -> IcebergSchemas.schema(List.of(Column.of("a", "int"), Column.of("a", "string"))))
        .hasMessageContaining("appears twice");
    Schema schema = IcebergSchemas.schema(List.of(Column.of("ts", "timestamp")));
    assertThatThrownBy(() -> IcebergSchemas.spec(schema, List.of("week(ts)")))
        .hasMessageContaining("partition term 'week(ts)'")
        .hasMessageContaining("unknown transform");
    assertThatThrownBy(() -> IcebergSchemas.spec(schema, List.of("nope")))
        .hasMessageContaining("no column named 'nope'");
  }
}
