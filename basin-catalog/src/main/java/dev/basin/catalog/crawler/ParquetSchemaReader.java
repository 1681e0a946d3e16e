package dev.basin.catalog.crawler;

import dev.basin.catalog.Column;
import dev.basin.catalog.DataFormat;
import dev.basin.common.error.BasinException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Reads a Parquet footer (only the footer: no row group is touched) and maps its schema to Glue
 * types: int32 → int (int8/16 → tinyint/smallint, unsigned → bigint), int64 → bigint (unsigned →
 * decimal(20,0)), float, double, boolean, DECIMAL → decimal(p,s), DATE → date, TIMESTAMP and int96
 * → timestamp, TIME → the raw int/bigint (Glue has no time type), STRING/ENUM/JSON/UUID → string,
 * other binary → binary, LIST (3-level and legacy 2-level) → array, MAP → map, other groups →
 * struct, and an unannotated repeated field → array.
 */
final class ParquetSchemaReader {

  static final byte[] MAGIC = {'P', 'A', 'R', '1'};

  private ParquetSchemaReader() {}

  static boolean hasMagic(byte[] head) {
    return head.length >= 4
        && head[0] == MAGIC[0]
        && head[1] == MAGIC[1]
        && head[2] == MAGIC[2]
        && head[3] == MAGIC[3];
  }

  /**
   * @throws BasinException {@link CrawlerErrorCode#CORRUPT_OBJECT} when the footer is missing or
   *     does not parse
   */
  static FileResult classify(ObjectSample sample, ClassifierConfig config) {
    MessageType schema = readSchema(sample);
    List<Column> columns = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<TypeAccumulator> votes = new ArrayList<>();
    for (Type field : schema.getFields()) {
      String type = glueType(field);
      String name = ColumnNames.sanitize(field.getName(), "col" + columns.size());
      columns.add(Column.of(name, type));
      names.add(name);
      TypeAccumulator acc = new TypeAccumulator(config.maxDecimalScale());
      acc.addType(dev.basin.catalog.HiveType.parse(type));
      votes.add(acc);
    }
    Map<String, String> table = new LinkedHashMap<>();
    table.put("classification", "parquet");
    table.put("compressionType", "none");
    table.put("typeOfData", "file");
    Classification c =
        new Classification(
            sample.name(),
            DataFormat.PARQUET,
            Compression.NONE,
            null,
            null,
            columns,
            DataFormat.PARQUET.serdeLibrary(),
            Map.of("serialization.format", "1"),
            table,
            1.0,
            "parquet: schema of " + columns.size() + " columns read from the footer");
    return new FileResult(c, names, votes);
  }

  static MessageType readSchema(ObjectSample sample) {
    if (sample.size() < 12) {
      throw corrupt(sample, "it has only " + sample.size() + " bytes");
    }
    byte[] tail;
    try {
      tail = sample.read(sample.size() - 4, 4);
    } catch (IOException e) {
      throw new BasinException(
          CrawlerErrorCode.READ_FAILED,
          "cannot read the Parquet footer of '" + sample.name() + "': " + e.getMessage(),
          e);
    }
    if (!hasMagic(tail)) {
      throw corrupt(sample, "it does not end with the Parquet magic PAR1 (truncated?)");
    }
    try (ParquetFileReader reader = ParquetFileReader.open(new SampleInputFile(sample))) {
      return reader.getFooter().getFileMetaData().getSchema();
    } catch (IOException | RuntimeException e) {
      throw corrupt(sample, "its footer does not parse: " + e.getMessage());
    }
  }

  private static BasinException corrupt(ObjectSample sample, String why) {
    return new BasinException(
        CrawlerErrorCode.CORRUPT_OBJECT,
        "object '"
            + sample.name()
            + "' starts like Parquet but "
            + why
            + "; re-upload it or exclude it from the crawl");
  }

  static String glueType(Type type) {
    String base = baseType(type);
    // A repeated field outside a LIST is a list of that field (legacy writers).
    return type.isRepetition(Type.Repetition.REPEATED) ? "array<" + base + ">" : base;
  }

  private static String baseType(Type type) {
    if (type.isPrimitive()) {
      return primitive(type.asPrimitiveType());
    }
    GroupType group = type.asGroupType();
    LogicalTypeAnnotation logical = group.getLogicalTypeAnnotation();
    if (logical instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation
        && group.getFieldCount() == 1) {
      Type repeated = group.getType(0);
      if (repeated.isPrimitive()) {
        return "array<" + primitive(repeated.asPrimitiveType()) + ">";
      }
      GroupType rg = repeated.asGroupType();
      boolean elementIsGroup =
          rg.getFieldCount() > 1
              || rg.getName().equals("array")
              || rg.getName().equals(group.getName() + "_tuple");
      String element = elementIsGroup ? struct(rg) : baseType(rg.getType(0));
      return "array<" + element + ">";
    }
    if ((logical instanceof LogicalTypeAnnotation.MapLogicalTypeAnnotation
            || logical instanceof LogicalTypeAnnotation.MapKeyValueTypeAnnotation)
        && group.getFieldCount() == 1
        && !group.getType(0).isPrimitive()
        && group.getType(0).asGroupType().getFieldCount() == 2) {
      GroupType kv = group.getType(0).asGroupType();
      return "map<" + baseType(kv.getType(0)) + "," + baseType(kv.getType(1)) + ">";
    }
    return struct(group);
  }

  private static String struct(GroupType group) {
    StringBuilder sb = new StringBuilder("struct<");
    for (int i = 0; i < group.getFieldCount(); i++) {
      Type f = group.getType(i);
      if (i > 0) {
        sb.append(',');
      }
      sb.append(ColumnNames.sanitize(f.getName(), "col" + i)).append(':').append(glueType(f));
    }
    return sb.append('>').toString();
  }

  private static String primitive(PrimitiveType p) {
    LogicalTypeAnnotation l = p.getLogicalTypeAnnotation();
    if (l instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation) {
      LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d =
          (LogicalTypeAnnotation.DecimalLogicalTypeAnnotation) l;
      return d.getPrecision() <= 38
          ? "decimal(" + d.getPrecision() + "," + d.getScale() + ")"
          : "string";
    }
    switch (p.getPrimitiveTypeName()) {
      case BOOLEAN:
        return "boolean";
      case INT32:
        if (l instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation) {
          return "date";
        }
        if (l instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation) {
          LogicalTypeAnnotation.IntLogicalTypeAnnotation i =
              (LogicalTypeAnnotation.IntLogicalTypeAnnotation) l;
          if (!i.isSigned()) {
            return i.getBitWidth() == 32 ? "bigint" : i.getBitWidth() == 16 ? "int" : "smallint";
          }
          return i.getBitWidth() == 8 ? "tinyint" : i.getBitWidth() == 16 ? "smallint" : "int";
        }
        return "int";
      case INT64:
        if (l instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation) {
          return "timestamp";
        }
        if (l instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation
            && !((LogicalTypeAnnotation.IntLogicalTypeAnnotation) l).isSigned()) {
          return "decimal(20,0)";
        }
        return "bigint";
      case INT96:
        return "timestamp";
      case FLOAT:
        return "float";
      case DOUBLE:
        return "double";
      case BINARY:
      case FIXED_LEN_BYTE_ARRAY:
        if (l instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
            || l instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
            || l instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation
            || l instanceof LogicalTypeAnnotation.UUIDLogicalTypeAnnotation) {
          return "string";
        }
        return "binary";
      default:
        return p.getPrimitiveTypeName().name().toLowerCase(Locale.ROOT);
    }
  }

  /** A Parquet {@link InputFile} over an {@link ObjectSample}'s ranges. */
  private static final class SampleInputFile implements InputFile {
    private final ObjectSample sample;

    SampleInputFile(ObjectSample sample) {
      this.sample = sample;
    }

    @Override
    public long getLength() {
      return sample.size();
    }

    @Override
    public SeekableInputStream newStream() {
      return new SeekableInputStream() {
        private long pos;

        @Override
        public long getPos() {
          return pos;
        }

        @Override
        public void seek(long newPos) {
          pos = newPos;
        }

        @Override
        public int read() throws IOException {
          byte[] b = new byte[1];
          return read(b, 0, 1) <= 0 ? -1 : (b[0] & 0xff);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          if (pos >= sample.size()) {
            return -1;
          }
          byte[] got = sample.read(pos, (int) Math.min(len, sample.size() - pos));
          System.arraycopy(got, 0, b, off, got.length);
          pos += got.length;
          return got.length == 0 ? -1 : got.length;
        }

        @Override
        public void readFully(byte[] bytes) throws IOException {
          readFully(bytes, 0, bytes.length);
        }

        @Override
        public void readFully(byte[] bytes, int start, int len) throws IOException {
          int done = 0;
          while (done < len) {
            int n = read(bytes, start + done, len - done);
            if (n < 0) {
              throw new EOFException("unexpected end of '" + sample.name() + "' at " + pos);
            }
            done += n;
          }
        }

        @Override
        public int read(ByteBuffer buf) throws IOException {
          int len = buf.remaining();
          byte[] tmp = new byte[len];
          int n = read(tmp, 0, len);
          if (n > 0) {
            buf.put(tmp, 0, n);
          }
          return n;
        }

        @Override
        public void readFully(ByteBuffer buf) throws IOException {
          byte[] tmp = new byte[buf.remaining()];
          readFully(tmp);
          buf.put(tmp);
        }
      };
    }
  }
}
