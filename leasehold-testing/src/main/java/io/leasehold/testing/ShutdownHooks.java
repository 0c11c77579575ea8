package io.leasehold.testing;

/** The fixtures' clean-up when a test forgets to close them: a JVM shutdown hook. */
final class ShutdownHooks {
  private ShutdownHooks() {}

  /** Removes a fixture's clean-up hook once it closed; a no-op while the JVM is already exiting. */
  static void remove(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException exiting) {
      // the hook runs, or has run, anyway
    }
  }
}
