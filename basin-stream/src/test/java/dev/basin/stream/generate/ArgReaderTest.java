package dev.basin.stream.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArgReaderTest {

  private static List<Object> read(String args) {
    ArgReader r = new ArgReader(new SourceText(args + ")"), 0);
    List<Object> values = r.readArguments();
    assertThat(r.position()).isEqualTo(args.length() + 1);
    return values;
  }

  @Test
  void readsJsonLiterals() {
    assertThat(read("")).isEmpty();
    assertThat(read(" 42, -7, 3.5, 1e3, true, false, null "))
        .containsExactly(42L, -7L, 3.5, 1000.0, true, false, null);
    assertThat(read("\"a\\\"b\\n\\u0041\"")).containsExactly("a\"b\nA");
    assertThat(read("[1, [2, {\"k\": \"v\"}]]"))
        .containsExactly(List.of(1L, List.of(2L, Map.of("k", "v"))));
  }

  @Test
  void isLenientLikeHandWrittenFakerTemplates() {
    assertThat(read("{min: 1, 'max': 10,}, ['a', \"b\",],"))
        .containsExactly(Map.of("min", 1L, "max", 10L), List.of("a", "b"));
    assertThat(read("'multi\nline'")).containsExactly("multiline");
    assertThat(read("99999999999999999999")).containsExactly(1.0e20);
  }

  @Test
  void keepsObjectKeyOrder() {
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) read("{z: 1, a: 2, m: 3}").get(0);
    assertThat(map.keySet()).containsExactly("z", "a", "m");
  }

  @Test
  void reportsWhereTheSyntaxBreaks() {
    assertThatThrownBy(() -> read("[1, 2"))
        .isInstanceOfSatisfying(
            ArgReader.SyntaxError.class,
            e -> {
              assertThat(e.getMessage()).isEqualTo("expected ',' or ']' but found ')'");
              assertThat(e.index).isEqualTo(5);
            });
    assertThatThrownBy(() -> read("{a 1}")).hasMessage("expected ':' after key 'a' but found '1'");
    assertThatThrownBy(() -> read("\"open")).hasMessage("unterminated string");
    assertThatThrownBy(() -> read("1.2.3")).hasMessage("invalid number '1.2.3'");
    assertThatThrownBy(() -> read("1-2")).hasMessage("expected ',' or ')' but found '-'");
    assertThatThrownBy(() -> read("abc"))
        .hasMessage("unexpected 'abc'; put text arguments in quotes: \"abc\"");
  }
}
