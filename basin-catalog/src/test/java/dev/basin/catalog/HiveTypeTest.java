package dev.basin.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.basin.common.error.BasinException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HiveTypeTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "string|string",
        "STRING|string",
        "integer|int",
        "tinyint|tinyint",
        "smallint|smallint",
        "bigint|bigint",
        "float|float",
        "double|double",
        "boolean|boolean",
        "date|date",
        "timestamp|timestamp",
        "binary|binary",
        "decimal|decimal(10,0)",
        "decimal( 12 , 3 )|decimal(12,3)",
        "decimal(5)|decimal(5,0)",
        "varchar(20)|varchar(20)",
        "char(1)|char(1)",
        "array< int >|array<int>",
        "map<string, array<bigint>>|map<string,array<bigint>>",
        "struct<a:int, b : string, `c d`:map<int,double>>|struct<a:int,b:string,c d:map<int,double>>",
        "array<struct<x:array<struct<y:decimal(38,38)>>>>|array<struct<x:array<struct<y:decimal(38,38)>>>>"
      })
  void parsesToCanonicalForm(String input, String canonical) {
    assertThat(HiveType.parse(input).toString()).isEqualTo(canonical);
  }

  @Test
  void structuresAreTyped() {
    HiveType t = HiveType.parse("struct<id:int,tags:array<string>>");
    assertThat(t).isInstanceOf(HiveType.Struct.class);
    HiveType.Struct s = (HiveType.Struct) t;
    assertThat(s.fields()).extracting(HiveType.Field::name).containsExactly("id", "tags");
    assertThat(s.fields().get(1).type())
        .isEqualTo(new HiveType.Array(new HiveType.Primitive("string")));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "strng|unknown type 'strng'|position 1",
        "array<strin>|unknown type 'strin'|position 7",
        "array<int|expected '>' but the type ended|position 10",
        "map<string>|expected ','|position 11",
        "map<array<int>,int>|a map key must be a primitive type|position 5",
        "struct<>|a struct needs at least one field|position 8",
        "struct<a:int,a:string>|duplicate struct field 'a'|position 14",
        "decimal(39,2)|precision must be between 1 and 38|",
        "decimal(5,6)|scale must be between 0 and the precision 5|",
        "varchar(0)|varchar length must be between 1 and 65535|",
        "int extra|unexpected 'extra' after the type|position 5",
        "array<>|expected a type name|position 7"
      })
  void rejectsBadTypesWithThePosition(String input, String message, String position) {
    assertThatThrownBy(() -> HiveType.parse(input))
        .isInstanceOf(BasinException.class)
        .hasMessageContaining("invalid type '" + input + "'")
        .hasMessageContaining(message)
        .hasMessageContaining(position == null ? "" : position)
        .satisfies(
            e -> assertThat(((BasinException) e).code()).isEqualTo(CatalogErrorCode.INVALID_TYPE));
  }

  @Test
  void blankIsRejected() {
    assertThatThrownBy(() -> HiveType.parse(" "))
        .isInstanceOf(BasinException.class)
        .hasMessageContaining("required");
  }
}
