package io.leasehold.leaderelection.resourcelock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The one rule and the one set of messages for every lock's name and identity. */
class LockBuilderTest {

  /** The smallest builder: what a lock implementation's builder inherits. */
  private static final class Builder extends LockBuilder<Builder> {
    String build() {
      return checkedName() + "@" + checkedConfig().identity();
    }
  }

  private static String build(String name, String identity) {
    return new Builder().name(name).identity(identity).build();
  }

  @Test
  void aNameAndIdentityOfOneVisibleLineOfAtMost253CharactersPass() {
    assertThat(build("payments-controller", "pod-7f9c_1"))
        .isEqualTo("payments-controller@pod-7f9c_1");
    assertThat(build("n".repeat(253), "ünïcödé 名前 😀")).startsWith("nnn");
    ResourceLockConfig config = ResourceLockConfig.of("a");
    assertThat(new Builder().name("x").config(config).build()).isEqualTo("x@a");
  }

  @Test
  void eachBrokenRuleHasItsMessageNamingTheMethodAndShowingTheValue() {
    assertThatThrownBy(() -> build(null, "a")).hasMessage("name must be set");
    assertThatThrownBy(() -> new Builder().name("x").build()).hasMessage("identity must be set");
    assertThatThrownBy(() -> build("  ", "a")).hasMessage("name must not be blank; got \"  \"");
    assertThatThrownBy(() -> build("x", "")).hasMessage("identity must not be blank; got \"\"");
    String control =
        " must not contain control characters or line separators, such as a newline or a tab; got ";
    assertThatThrownBy(() -> build("a\nb", "a")).hasMessage("name" + control + "\"a\\nb\"");
    assertThatThrownBy(() -> build("x", "a\tb")).hasMessage("identity" + control + "\"a\\tb\"");
    assertThatThrownBy(() -> build("a\u2028b", "a")).hasMessage("name" + control + "\"a\\u2028b\"");
    assertThatThrownBy(() -> build("a\u0085\"\\", "a"))
        .hasMessage("name" + control + "\"a\\u0085\\\"\\\\\"");
    assertThatThrownBy(() -> build("n".repeat(254), "a"))
        .hasMessage(
            "name must have at most 253 characters; got 254: \"" + "n".repeat(40) + "\"...");
  }

  @Test
  void toolsCheckTheSameRuleUnderTheirOwnNames() {
    assertThat(LockBuilder.requireValid("--name", "job")).isEqualTo("job");
    assertThatThrownBy(() -> LockBuilder.requireValid("--id", " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--id must not be blank; got \" \"");
  }
}
