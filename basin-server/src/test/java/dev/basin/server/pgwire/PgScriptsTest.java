package dev.basin.server.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PgScriptsTest {

  @Test
  void splitsAtTopLevelSemicolonsOnly() {
    String script =
        "SELECT 'a;b', \"c;d\" ; /* x; /* nested; */ y; */ SELECT $$e;f$$, $t$g;$t$;"
            + " -- tail; comment\nSELECT E'h\\';i', $1; ;";
    List<PgScripts.Piece> pieces = PgScripts.split(script);
    assertThat(pieces.stream().map(PgScripts.Piece::sql).toList())
        .containsExactly(
            "SELECT 'a;b', \"c;d\"", "SELECT $$e;f$$, $t$g;$t$", "SELECT E'h\\';i', $1");
    assertThat(pieces.get(0).offset()).isZero();
    assertThat(script.substring(pieces.get(1).offset())).startsWith("SELECT $$e");
  }

  @Test
  void blankAndCommentOnlyTextHasNoStatements() {
    assertThat(PgScripts.split("  ;; -- x\n /* y */ ")).isEmpty();
    assertThat(PgScripts.isBlank("-- only\n")).isTrue();
    assertThat(PgScripts.isBlank("/* a */ SELECT")).isFalse();
  }
}
