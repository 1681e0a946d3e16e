package dev.basin.catalog.crawler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/** Writes a small Parquet file with parquet-hadoop's example writer. */
final class ParquetFiles {
  private ParquetFiles() {}

  static final String SCHEMA =
      "message orders {\n"
          + "  required int64 id;\n"
          + "  optional int32 qty;\n"
          + "  optional int32 tiny (INTEGER(8,true));\n"
          + "  optional int32 order_date (DATE);\n"
          + "  optional int64 created_at (TIMESTAMP(MICROS,true));\n"
          + "  optional int96 legacy_ts;\n"
          + "  optional int64 amount (DECIMAL(12,2));\n"
          + "  optional fixed_len_byte_array(16) big_amount (DECIMAL(30,4));\n"
          + "  optional float score;\n"
          + "  optional double ratio;\n"
          + "  optional boolean paid;\n"
          + "  optional binary customer (STRING);\n"
          + "  optional binary blob;\n"
          + "  optional group tags (LIST) { repeated group list { optional binary element (STRING); } }\n"
          + "  optional group legacy_list (LIST) { repeated int32 array; }\n"
          + "  optional group address { optional binary city (STRING); optional int32 zip; }\n"
          + "  optional group attrs (MAP) { repeated group key_value {"
          + " required binary key (STRING); optional int64 value; } }\n"
          + "  optional group lines (LIST) { repeated group list { optional group element {"
          + " optional binary sku (STRING); optional double qty; } } }\n"
          + "  repeated binary old_style (STRING);\n"
          + "}";

  static byte[] orders(Path dir) throws IOException {
    MessageType schema = MessageTypeParser.parseMessageType(SCHEMA);
    Path file = dir.resolve("orders.parquet");
    SimpleGroupFactory f = new SimpleGroupFactory(schema);
    try (ParquetWriter<Group> w =
        ExampleParquetWriter.builder(new LocalOutputFile(file)).withType(schema).build()) {
      for (int i = 0; i < 3; i++) {
        Group g = f.newGroup().append("id", (long) i).append("qty", i).append("customer", "c" + i);
        g.addGroup("tags").addGroup("list").append("element", "t" + i);
        g.addGroup("address").append("city", "Berlin").append("zip", 10115);
        w.write(g);
      }
    }
    return Files.readAllBytes(file);
  }
}
