package dev.basin.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.basin.common.error.BasinException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

class JsonRecordConverterTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "id", Types.LongType.get()),
          Types.NestedField.optional(2, "name", Types.StringType.get()),
          Types.NestedField.optional(3, "price", Types.DecimalType.of(10, 2)),
          Types.NestedField.optional(4, "day", Types.DateType.get()),
          Types.NestedField.optional(5, "at", Types.TimestampType.withoutZone()),
          Types.NestedField.optional(6, "atz", Types.TimestampType.withZone()),
          Types.NestedField.optional(
              7,
              "address",
              Types.StructType.of(
                  Types.NestedField.optional(8, "city", Types.StringType.get()),
                  Types.NestedField.optional(9, "zip", Types.IntegerType.get()))),
          Types.NestedField.optional(
              10, "tags", Types.ListType.ofOptional(11, Types.StringType.get())),
          Types.NestedField.optional(
              12,
              "scores",
              Types.MapType.ofOptional(13, 14, Types.StringType.get(), Types.DoubleType.get())),
          Types.NestedField.optional(15, "ok", Types.BooleanType.get()));

  private final JsonRecordConverter converter =
      new JsonRecordConverter(SCHEMA, JsonRecordConverter.UnknownFields.IGNORE);

  @Test
  void convertsEveryTypeWithCoercion() throws Exception {
    Record r =
        converter.convert(
            JSON.readTree(
                """
                {"id":"42","name":"kim","price":19.9,"day":"2026-11-21","at":"2026-11-21T10:15:30Z",
                 "atz":1763720130000,"address":{"city":"Oslo","zip":"150"},"tags":["a",null],
                 "scores":{"x":1,"y":"2.5"},"ok":"TRUE","extra":1}
                """));
    assertThat(r.getField("id")).isEqualTo(42L);
    assertThat(r.getField("name")).isEqualTo("kim");
    assertThat(r.getField("price")).isEqualTo(new BigDecimal("19.90"));
    assertThat(r.getField("day")).isEqualTo(LocalDate.of(2026, 11, 21));
    assertThat(r.getField("at")).isEqualTo(LocalDateTime.of(2026, 11, 21, 10, 15, 30));
    assertThat(((OffsetDateTime) r.getField("atz")).toInstant().toEpochMilli())
        .isEqualTo(1763720130000L);
    Record address = (Record) r.getField("address");
    assertThat(address.getField("city")).isEqualTo("Oslo");
    assertThat(address.getField("zip")).isEqualTo(150);
    @SuppressWarnings("unchecked")
    List<Object> tags = (List<Object>) r.getField("tags");
    assertThat(tags).containsExactly("a", null);
    @SuppressWarnings("unchecked")
    Map<Object, Object> scores = (Map<Object, Object>) r.getField("scores");
    assertThat(scores).containsEntry("x", 1.0).containsEntry("y", 2.5);
    assertThat(r.getField("ok")).isEqualTo(true);
  }

  @Test
  void missingOptionalFieldsAreNull() throws Exception {
    Record r = converter.convert(JSON.readTree("{\"id\":1}"));
    assertThat(r.getField("name")).isNull();
    assertThat(r.getField("address")).isNull();
  }

  @Test
  void errorsNameTheFieldPathAndTheValue() throws Exception {
    assertThatThrownBy(() -> converter.convert(JSON.readTree("{\"name\":\"x\"}")))
        .isInstanceOf(BasinException.class)
        .hasMessageContaining("field 'id' is required");
    assertThatThrownBy(() -> converter.convert(JSON.readTree("{\"id\":\"abc\"}")))
        .hasMessageContaining("field 'id': \"abc\"")
        .hasMessageContaining("is not a bigint");
    assertThatThrownBy(
            () -> converter.convert(JSON.readTree("{\"id\":1,\"address\":{\"zip\":\"x1\"}}")))
        .hasMessageContaining("field 'address.zip'");
    assertThatThrownBy(() -> converter.convert(JSON.readTree("{\"id\":1,\"price\":1.234}")))
        .hasMessageContaining("more than 2 decimal places");
    assertThatThrownBy(() -> converter.convert(JSON.readTree("{\"id\":1,\"tags\":\"a\"}")))
        .hasMessageContaining("is not an array");
    assertThatThrownBy(() -> converter.convert(JSON.readTree("[1]")))
        .hasMessageContaining("the record");
  }

  @Test
  void unknownFieldsFailWhenAsked() throws Exception {
    JsonRecordConverter strict =
        new JsonRecordConverter(SCHEMA, JsonRecordConverter.UnknownFields.FAIL);
    assertThatThrownBy(() -> strict.convert(JSON.readTree("{\"id\":1,\"colour\":\"red\"}")))
        .hasMessageContaining("field 'colour' is not in the table's schema");
  }
}
