package dev.basin.server.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The catalog queries psql 15 and pgjdbc 42.7 send, as captured from a real PostgreSQL. */
class PgCatalogQueriesTest {
  static final PgCatalog CATALOG =
      PgCatalog.of(
          List.of("db", "sales"),
          List.of(
              new Object[] {"db", "t", "id", 1, "INTEGER", "NO"},
              new Object[] {"db", "t", "name", 2, "VARCHAR", "YES"},
              new Object[] {"db", "t", "amount", 3, "DECIMAL(10,2)", "YES"},
              new Object[] {"sales", "orders", "ts", 1, "TIMESTAMP WITH TIME ZONE", "YES"}));

  String currentSchema;

  final PgCatalogQueries.Source source =
      new PgCatalogQueries.Source() {
        @Override
        public String user() {
          return "BASINKEY";
        }

        @Override
        public String currentSchema() {
          return currentSchema;
        }

        @Override
        public PgCatalog load() {
          return CATALOG;
        }
      };

  record Result(List<PgColumn> columns, List<List<Object>> rows) {
    List<Object> column(String name) {
      int i = -1;
      for (int k = 0; k < columns.size(); k++) {
        if (columns.get(k).name().equals(name)) {
          i = k;
        }
      }
      List<Object> out = new ArrayList<>();
      for (List<Object> r : rows) {
        out.add(r.get(i));
      }
      return out;
    }
  }

  Result run(String sql, Object... params) {
    PgPlan plan = PgCatalogQueries.plan(sql, source);
    assertThat(plan).as("recognised: " + sql).isNotNull();
    PgRows rows = plan.execute(Arrays.asList(params));
    List<List<Object>> out = new ArrayList<>();
    while (rows.next()) {
      List<Object> row = new ArrayList<>();
      for (int i = 0; i < plan.columns().size(); i++) {
        row.add(rows.value(i));
      }
      out.add(row);
    }
    return new Result(plan.columns(), out);
  }

  @Test
  void psqlListDatabases() {
    Result r =
        run(
            """
            SELECT d.datname as "Name",
                   pg_catalog.pg_get_userbyid(d.datdba) as "Owner",
                   pg_catalog.pg_encoding_to_char(d.encoding) as "Encoding",
                   d.datcollate as "Collate",
                   d.datctype as "Ctype",
                   d.daticulocale as "ICU Locale",
                   CASE d.datlocprovider WHEN 'c' THEN 'libc' WHEN 'i' THEN 'icu' END AS "Locale Provider",
                   pg_catalog.array_to_string(d.datacl, E'\\n') AS "Access privileges"
            FROM pg_catalog.pg_database d
            ORDER BY 1""");
    assertThat(r.columns().stream().map(PgColumn::name))
        .containsExactly(
            "Name",
            "Owner",
            "Encoding",
            "Collate",
            "Ctype",
            "ICU Locale",
            "Locale Provider",
            "Access privileges");
    assertThat(r.rows())
        .containsExactly(Arrays.asList("basin", "BASINKEY", "UTF8", "C", "C", null, "libc", null));
  }

  @Test
  void psqlListSchemas() {
    Result r =
        run(
            """
            SELECT n.nspname AS "Name",
              pg_catalog.pg_get_userbyid(n.nspowner) AS "Owner"
            FROM pg_catalog.pg_namespace n
            WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
            ORDER BY 1""");
    assertThat(r.rows()).containsExactly(List.of("db", "BASINKEY"), List.of("sales", "BASINKEY"));
  }

  static final String PSQL_LIST_TABLES =
      """
      SELECT n.nspname as "Schema",
        c.relname as "Name",
        CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequence' WHEN 't' THEN 'TOAST table' WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table' WHEN 'I' THEN 'partitioned index' END as "Type",
        pg_catalog.pg_get_userbyid(c.relowner) as "Owner"
      FROM pg_catalog.pg_class c
           LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
           LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
      WHERE c.relkind IN ('r','p','t','s','')
        AND n.nspname OPERATOR(pg_catalog.~) '^(db)$' COLLATE pg_catalog.default
      ORDER BY 1,2""";

  @Test
  void psqlListTablesOfASchemaAndVisibleTables() {
    assertThat(run(PSQL_LIST_TABLES).rows())
        .containsExactly(List.of("db", "t", "table", "BASINKEY"));
    String visible =
        """
        SELECT n.nspname as "Schema",
          c.relname as "Name",
          CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' END as "Type",
          pg_catalog.pg_get_userbyid(c.relowner) as "Owner"
        FROM pg_catalog.pg_class c
             LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
        WHERE c.relkind IN ('r','p','')
              AND n.nspname <> 'pg_catalog'
              AND n.nspname !~ '^pg_toast'
              AND n.nspname <> 'information_schema'
          AND pg_catalog.pg_table_is_visible(c.oid)
        ORDER BY 1,2""";
    assertThat(run(visible).rows()).isEmpty();
    currentSchema = "sales";
    assertThat(run(visible).rows())
        .containsExactly(List.of("sales", "orders", "table", "BASINKEY"));
    String views = PSQL_LIST_TABLES.replace("('r','p','t','s','')", "('v','')");
    assertThat(run(views).rows()).isEmpty();
  }

  @Test
  void psqlDescribeTable() {
    Result found =
        run(
            """
            SELECT c.oid,
              n.nspname,
              c.relname
            FROM pg_catalog.pg_class c
                 LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relname OPERATOR(pg_catalog.~) '^(t)$' COLLATE pg_catalog.default
              AND n.nspname OPERATOR(pg_catalog.~) '^(db)$' COLLATE pg_catalog.default
            ORDER BY 2, 3""");
    assertThat(found.rows()).hasSize(1);
    long oid = (Long) found.rows().get(0).get(0);
    assertThat(found.rows().get(0).subList(1, 3)).containsExactly("db", "t");

    Result info =
        run(
            "SELECT c.relchecks, c.relkind, c.relhasindex, c.relhasrules, c.relhastriggers,"
                + " c.relrowsecurity, c.relforcerowsecurity, false AS relhasoids, c.relispartition,"
                + " '', c.reltablespace, CASE WHEN c.reloftype = 0 THEN '' ELSE"
                + " c.reloftype::pg_catalog.regtype::pg_catalog.text END, c.relpersistence,"
                + " c.relreplident, am.amname\n"
                + "FROM pg_catalog.pg_class c\n"
                + " LEFT JOIN pg_catalog.pg_class tc ON (c.reltoastrelid = tc.oid)\n"
                + "LEFT JOIN pg_catalog.pg_am am ON (c.relam = am.oid)\n"
                + "WHERE c.oid = '"
                + oid
                + "'");
    assertThat(info.rows())
        .containsExactly(
            Arrays.asList(
                0, "r", false, false, false, false, false, false, false, "", 0L, "", "p", "d",
                null));

    Result columns =
        run(
            """
            SELECT a.attname,
              pg_catalog.format_type(a.atttypid, a.atttypmod),
              (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid, true)
               FROM pg_catalog.pg_attrdef d
               WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.atthasdef),
              a.attnotnull,
              (SELECT c.collname FROM pg_catalog.pg_collation c, pg_catalog.pg_type t
               WHERE c.oid = a.attcollation AND t.oid = a.atttypid AND a.attcollation <> t.typcollation) AS attcollation,
              a.attidentity,
              a.attgenerated
            FROM pg_catalog.pg_attribute a
            WHERE a.attrelid = '%d' AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum"""
                .formatted(oid));
    assertThat(columns.rows())
        .containsExactly(
            Arrays.asList("id", "integer", null, true, null, "", ""),
            Arrays.asList("name", "text", null, false, null, "", ""),
            Arrays.asList("amount", "numeric(10,2)", null, false, null, "", ""));

    Result policies =
        run(
            "SELECT pol.polname, pol.polpermissive\nFROM pg_catalog.pg_policy pol\nWHERE"
                + " pol.polrelid = '"
                + oid
                + "' ORDER BY 1");
    assertThat(policies.rows()).isEmpty();
    Result inherits =
        run(
            "SELECT c.oid::pg_catalog.regclass\nFROM pg_catalog.pg_class c, pg_catalog.pg_inherits"
                + " i\nWHERE c.oid = i.inhparent AND i.inhrelid = '"
                + oid
                + "'\n  AND c.relkind != 'p' AND c.relkind != 'I'\nORDER BY inhseqno");
    assertThat(inherits.rows()).isEmpty();
  }

  @Test
  void jdbcSchemasTablesColumnsAndPrimaryKeys() {
    Result schemas =
        run(
            "SELECT nspname AS \"TABLE_SCHEM\", current_database() AS \"TABLE_CATALOG\" FROM"
                + " pg_catalog.pg_namespace  WHERE nspname <> 'pg_toast' AND (nspname !~ '^pg_temp_' "
                + " OR nspname = (pg_catalog.current_schemas(true))[1]) AND (nspname !~"
                + " '^pg_toast_temp_'  OR nspname = replace((pg_catalog.current_schemas(true))[1],"
                + " 'pg_temp_', 'pg_toast_temp_'))  ORDER BY \"TABLE_SCHEM\"");
    assertThat(schemas.column("TABLE_SCHEM"))
        .containsExactly("db", "information_schema", "pg_catalog", "sales");
    assertThat(schemas.column("TABLE_CATALOG")).containsOnly("basin");

    String tables =
        "SELECT current_database() AS \"TABLE_CAT\", n.nspname AS \"TABLE_SCHEM\", c.relname AS"
            + " \"TABLE_NAME\",  CASE n.nspname ~ '^pg_' OR n.nspname = 'information_schema'  WHEN"
            + " true THEN CASE  WHEN n.nspname = 'pg_catalog' OR n.nspname = 'information_schema'"
            + " THEN CASE c.relkind   WHEN 'r' THEN 'SYSTEM TABLE'   WHEN 'v' THEN 'SYSTEM VIEW'  "
            + " WHEN 'i' THEN 'SYSTEM INDEX'   ELSE NULL   END  ELSE NULL  END  WHEN false THEN CASE"
            + " c.relkind  WHEN 'r' THEN 'TABLE'  WHEN 'p' THEN 'PARTITIONED TABLE'  WHEN 'v' THEN"
            + " 'VIEW'  ELSE NULL  END  ELSE NULL  END  AS \"TABLE_TYPE\", d.description AS"
            + " \"REMARKS\",  '' as \"TYPE_CAT\", '' as \"TYPE_SCHEM\", '' as \"TYPE_NAME\", '' AS"
            + " \"SELF_REFERENCING_COL_NAME\", '' AS \"REF_GENERATION\"  FROM pg_catalog.pg_namespace"
            + " n, pg_catalog.pg_class c  LEFT JOIN pg_catalog.pg_description d ON (c.oid ="
            + " d.objoid AND d.objsubid = 0  and d.classoid = 'pg_class'::regclass)  WHERE"
            + " c.relnamespace = n.oid  AND n.nspname LIKE $1 AND c.relname LIKE $2 AND (false  OR"
            + " ( c.relkind = 'r' AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' ) "
            + " OR ( c.relkind = 'v' AND n.nspname <> 'pg_catalog' AND n.nspname <>"
            + " 'information_schema' ) )  ORDER BY \"TABLE_TYPE\",\"TABLE_SCHEM\",\"TABLE_NAME\" ";
    Result t = run(tables, "db", "%");
    assertThat(t.rows()).hasSize(1);
    assertThat(t.column("TABLE_NAME")).containsExactly("t");
    assertThat(t.column("TABLE_TYPE")).containsExactly("TABLE");
    assertThat(t.column("TABLE_CAT")).containsExactly("basin");
    assertThat(run(tables, "%", "ord%").column("TABLE_NAME")).containsExactly("orders");

    String columns =
        "SELECT * FROM (SELECT current_database() AS current_database,"
            + " n.nspname,c.relname,a.attname,a.atttypid,a.attnotnull  OR (t.typtype = 'd' AND"
            + " t.typnotnull) AS attnotnull,a.atttypmod,a.attlen,t.typtypmod,row_number() OVER"
            + " (PARTITION BY a.attrelid ORDER BY a.attnum) AS attnum, nullif(a.attidentity, '') as"
            + " attidentity,nullif(a.attgenerated, '') as"
            + " attgenerated,pg_catalog.pg_get_expr(def.adbin, def.adrelid) AS"
            + " adsrc,dsc.description,t.typbasetype,t.typtype  FROM pg_catalog.pg_namespace n  JOIN"
            + " pg_catalog.pg_class c ON (c.relnamespace = n.oid)  JOIN pg_catalog.pg_attribute a ON"
            + " (a.attrelid=c.oid)  JOIN pg_catalog.pg_type t ON (a.atttypid = t.oid)  LEFT JOIN"
            + " pg_catalog.pg_attrdef def ON (a.attrelid=def.adrelid AND a.attnum = def.adnum)  LEFT"
            + " JOIN pg_catalog.pg_description dsc ON (c.oid=dsc.objoid AND a.attnum ="
            + " dsc.objsubid)  LEFT JOIN pg_catalog.pg_class dc ON (dc.oid=dsc.classoid AND"
            + " dc.relname='pg_class')  LEFT JOIN pg_catalog.pg_namespace dn ON"
            + " (dc.relnamespace=dn.oid AND dn.nspname='pg_catalog')  WHERE c.relkind in"
            + " ('r','p','v','f','m') and a.attnum > 0 AND NOT a.attisdropped  AND n.nspname LIKE"
            + " $1 AND c.relname LIKE $2) c WHERE true  AND attname LIKE $3 ORDER BY"
            + " nspname,c.relname,attnum ";
    Result cols = run(columns, "db", "t", "%");
    assertThat(cols.column("attname")).containsExactly("id", "name", "amount");
    assertThat(cols.column("atttypid")).containsExactly(23L, 25L, 1700L);
    assertThat(cols.column("attnotnull")).containsExactly(true, false, false);
    assertThat(cols.column("atttypmod")).containsExactly(-1, -1, ((10 << 16) | 2) + 4);
    assertThat(cols.column("attnum")).containsExactly(1L, 2L, 3L);
    assertThat(cols.column("attidentity")).containsOnlyNulls();
    assertThat(cols.column("nspname")).containsOnly("db");
    assertThat(run(columns, "db", "t", "am%").column("attname")).containsExactly("amount");

    Result pk =
        run(
            "SELECT        result.TABLE_CAT AS \"TABLE_CAT\",        result.TABLE_SCHEM AS"
                + " \"TABLE_SCHEM\",        result.TABLE_NAME AS \"TABLE_NAME\",       "
                + " result.COLUMN_NAME AS \"COLUMN_NAME\",        result.KEY_SEQ AS \"KEY_SEQ\",   "
                + "     result.PK_NAME AS \"PK_NAME\"FROM      (SELECT current_database() AS"
                + " TABLE_CAT, n.nspname AS TABLE_SCHEM,   ct.relname AS TABLE_NAME, a.attname AS"
                + " COLUMN_NAME,   (information_schema._pg_expandarray(i.indkey)).n AS KEY_SEQ,"
                + " ci.relname AS PK_NAME,   information_schema._pg_expandarray(i.indkey) AS KEYS,"
                + " a.attnum AS A_ATTNUM, i.indnkeyatts as KEY_COUNT FROM pg_catalog.pg_class ct  "
                + " JOIN pg_catalog.pg_attribute a ON (ct.oid = a.attrelid)   JOIN"
                + " pg_catalog.pg_namespace n ON (ct.relnamespace = n.oid)   JOIN"
                + " pg_catalog.pg_index i ON ( a.attrelid = i.indrelid)   JOIN pg_catalog.pg_class"
                + " ci ON (ci.oid = i.indexrelid) WHERE true  AND n.nspname = $1 AND ct.relname = $2"
                + " AND i.indisprimary  ) result where  result.A_ATTNUM = (result.KEYS).x AND"
                + " result.KEY_SEQ <= KEY_COUNT  ORDER BY result.table_name, result.pk_name,"
                + " result.key_seq",
            "db",
            "t");
    assertThat(pk.rows()).isEmpty();
    assertThat(pk.columns().stream().map(PgColumn::name))
        .containsExactly(
            "TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "COLUMN_NAME", "KEY_SEQ", "PK_NAME");
  }

  @Test
  void jdbcTypeLookups() {
    Result byOid =
        run(
            "SELECT n.nspname = ANY(current_schemas(true)), n.nspname, t.typname FROM"
                + " pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON t.typnamespace = n.oid"
                + " WHERE t.oid = $1",
            1186);
    assertThat(byOid.rows()).containsExactly(List.of(true, "pg_catalog", "interval"));
    Result isArray =
        run(
            "SELECT typinput='pg_catalog.array_in'::regproc as is_array, typtype, typname,"
                + " pg_type.oid   FROM pg_catalog.pg_type   LEFT JOIN (select ns.oid as nspoid,"
                + " ns.nspname, r.r           from pg_namespace as ns           join ( select s.r,"
                + " (current_schemas(false))[s.r] as nspname                    from"
                + " generate_series(1, array_upper(current_schemas(false), 1)) as s(r) ) as r      "
                + "    using ( nspname )        ) as sp     ON sp.nspoid = typnamespace  WHERE"
                + " pg_type.oid = $1  ORDER BY sp.r, pg_type.oid DESC",
            1007L);
    assertThat(isArray.rows()).containsExactly(List.of(true, "b", "_int4", 1007L));
    Result byName =
        run(
            "SELECT pg_type.oid, typname   FROM pg_catalog.pg_type   LEFT JOIN (select 1) as sp ON"
                + " true WHERE typname = $1 ORDER BY sp.r, pg_type.oid DESC LIMIT 1",
            "uuid");
    assertThat(byName.rows()).containsExactly(List.of(2950L, "uuid"));
    Result element =
        run(
            "SELECT e.oid, n.nspname = ANY(current_schemas(true)), n.nspname, e.typname FROM"
                + " pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON t.typnamespace = n.oid"
                + " JOIN pg_catalog.pg_type e ON t.typelem = e.oid WHERE t.oid = $1",
            1009);
    assertThat(element.rows()).containsExactly(List.of(25L, true, "pg_catalog", "text"));
  }

  @Test
  void otherQueriesAreLeftToTheEngine() {
    assertThat(PgCatalogQueries.plan("SELECT * FROM db.t", source)).isNull();
    assertThat(PgCatalogQueries.plan("SELECT * FROM pg_catalog.pg_settings", source)).isNull();
    assertThat(PgCatalogQueries.plan("SELECT * FROM information_schema.tables", source)).isNull();
    assertThat(
            PgCatalogQueries.plan(
                "SELECT * FROM pg_catalog.pg_class c JOIN db.t x ON true", source))
        .isNull();
  }
}
