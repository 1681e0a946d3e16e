package dev.basin.stream.generate;

/** One precompiled piece of a template: literal text or a bound helper call. */
@FunctionalInterface
interface Part {

  /** Appends this part's output for one record. */
  void render(StringBuilder out, RenderContext ctx);
}
