package io.leasehold.bench;

/**
 * What a child process of a multi-process benchmark runs: the candidates of one process (one per
 * election), on one backend client. JDK types only, so that a child on fabric8's default classpath
 * implements it too.
 */
interface Participants {
  /** Builds the backend client and makes one call through it (the client's threads then exist). */
  void connect() throws Exception;

  /** Builds the candidates, one per election, without starting them. */
  void prepare(int elections) throws Exception;

  /** Starts every candidate. */
  void start() throws Exception;

  /** The counters the candidates update. */
  ElectionCounters counters();

  /** Stops every candidate (releasing where the library can) and waits until they stopped. */
  void closeElections() throws Exception;

  /** Closes the backend client. */
  void closeClient() throws Exception;
}
