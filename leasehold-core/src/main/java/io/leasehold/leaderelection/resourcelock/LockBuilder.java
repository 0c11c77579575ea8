package io.leasehold.leaderelection.resourcelock;

import java.util.Objects;

/**
 * What every lock's builder sets: the lock's name, shared by the candidates of one election, and
 * this candidate's identity (with an optional {@link EventRecorder}). Both follow one rule, checked
 * by {@link #requireValid}: one visible line that fits every backend, so not blank, without control
 * characters (a newline would split every log line that names them) or Unicode line and paragraph
 * separators, and at most {@value #MAX_LENGTH} characters (a Kubernetes object name). The messages
 * name the builder method and show the value.
 *
 * @param <B> the concrete builder
 */
public abstract class LockBuilder<B extends LockBuilder<B>> {
  /** The most characters a name or identity may have: a Kubernetes object name's limit. */
  public static final int MAX_LENGTH = 253;

  private static final int SHOWN = 40;

  private String name;
  private ResourceLockConfig config;

  /** For the builders of lock implementations. */
  protected LockBuilder() {}

  /** The lock's name (required): the same for every candidate of one election. */
  public final B name(String name) {
    this.name = name;
    return self();
  }

  /** This candidate's identity (required, or set by {@link #config}): unique among candidates. */
  public final B identity(String identity) {
    this.config = identity == null ? null : ResourceLockConfig.of(identity);
    return self();
  }

  /** This candidate's identity and event recorder. */
  public final B config(ResourceLockConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    return self();
  }

  /**
   * The name, checked by {@link #requireValid}.
   *
   * @throws IllegalArgumentException when it is missing or breaks the rule
   */
  protected final String checkedName() {
    return requireValid("name", name);
  }

  /**
   * The identity and event recorder, the identity checked by {@link #requireValid}.
   *
   * @throws IllegalArgumentException when the identity is missing or breaks the rule
   */
  protected final ResourceLockConfig checkedConfig() {
    requireValid("identity", config == null ? null : config.identity());
    return config;
  }

  /**
   * Checks a lock name or identity against the rule of the class doc.
   *
   * @param what what the value is called where it was given: a builder method ({@code name}), a
   *     flag ({@code --name}), a property
   * @return {@code value}
   * @throws IllegalArgumentException naming {@code what} and showing the value, such as {@code name
   *     must not be blank; got " "}
   */
  public static String requireValid(String what, String value) {
    if (value == null) {
      throw new IllegalArgumentException(what + " must be set");
    }
    if (value.isBlank()) {
      throw new IllegalArgumentException(what + " must not be blank; got " + quoted(value));
    }
    if (value.codePoints().anyMatch(LockBuilder::breaksTheLine)) {
      throw new IllegalArgumentException(
          what
              + " must not contain control characters or line separators, such as a newline or a"
              + " tab; got "
              + quoted(value));
    }
    if (value.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          what
              + " must have at most "
              + MAX_LENGTH
              + " characters; got "
              + value.length()
              + ": "
              + quoted(value.substring(0, value.offsetByCodePoints(0, SHOWN)))
              + "...");
    }
    return value;
  }

  /**
   * {@code value} as the messages of lock builders show it: in double quotes, with quotes,
   * backslashes, control characters and line separators escaped, so that it stays one visible line.
   */
  protected static String quoted(String value) {
    StringBuilder s = new StringBuilder(value.length() + 2).append('"');
    value
        .codePoints()
        .forEach(
            c -> {
              switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                default -> {
                  if (breaksTheLine(c)) {
                    s.append(String.format("\\u%04x", c));
                  } else {
                    s.appendCodePoint(c);
                  }
                }
              }
            });
    return s.append('"').toString();
  }

  private static boolean breaksTheLine(int c) {
    return Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
  }

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }
}
