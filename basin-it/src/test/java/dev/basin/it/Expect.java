package dev.basin.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Small assertion helpers. */
public final class Expect {
  private Expect() {}

  /** Runs {@code call}, asserts it throws a {@code type}, and returns the exception. */
  public static <T extends Throwable> T thrown(Class<T> type, ThrowingCallable call) {
    Throwable t = catchThrowable(call);
    assertThat(t).as("expected a %s", type.getSimpleName()).isInstanceOf(type);
    return type.cast(t);
  }
}
