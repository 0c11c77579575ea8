package io.leasehold.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.curator.ensemble.EnsembleProvider;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.test.TestingServer;

/**
 * The reference row of the scenarios: Apache Curator's {@code LeaderLatch} on ZooKeeper ({@code
 * curator-test}'s in-process server), three candidates, each with its own client and so its own
 * session of one lease (3 s), measured as the Leasehold rows are. Graceful handover: from the
 * leader's {@code close()} (latch, then client) until the next candidate's {@code isLeader}. Crash:
 * the leader's client stops talking without telling the server, as a killed process would: its
 * servers are switched to a dead address (so it cannot come back) and its connection is dropped
 * (ZooKeeper's test hook that expires the session on the client side only); the server deletes the
 * leader's node when the session times out. Requests per second: packets each session sent, from
 * the server's {@code cons} command.
 */
final class CuratorScenario {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final TestingServer server;
  private final long sessionMillis;

  private CuratorScenario(TestingServer server, long sessionMillis) {
    this.server = server;
    this.sessionMillis = sessionMillis;
  }

  /** One candidate: its own client, session and latch, and the servers its client may use. */
  private record Candidate(
      String id, CuratorFramework client, LeaderLatch latch, Servers servers) {}

  /** The servers one client connects to, switchable to none (a dead address). */
  private static final class Servers implements EnsembleProvider {
    private volatile String connectString;

    Servers(String connectString) {
      this.connectString = connectString;
    }

    @Override
    public void start() {}

    @Override
    public String getConnectionString() {
      return connectString;
    }

    @Override
    public void close() {}

    @Override
    public void setConnectionString(String connectString) {
      this.connectString = connectString;
    }

    @Override
    public boolean updateServerListEnabled() {
      return false;
    }
  }

  /** A group of candidates on one latch path, and when each became leader. */
  private final class Group implements AutoCloseable {
    final String path;
    final List<Candidate> running = new ArrayList<>();
    final LinkedBlockingQueue<Candidates.Start> starts = new LinkedBlockingQueue<>();
    int next;

    Group(String path) {
      this.path = path;
    }

    void add() throws Exception {
      String id = "c" + next++;
      Servers servers = new Servers(server.getConnectString());
      CuratorFramework client =
          CuratorParticipants.client(
              CuratorFrameworkFactory.builder().ensembleProvider(servers).ensembleTracker(false),
              sessionMillis);
      LeaderLatch latch = new LeaderLatch(client, path, id);
      latch.addListener(
          new LeaderLatchListener() {
            @Override
            public void isLeader() {
              starts.add(new Candidates.Start(id, System.nanoTime()));
            }

            @Override
            public void notLeader() {}
          });
      latch.start();
      running.add(new Candidate(id, client, latch, servers));
    }

    Candidates.Start nextStart() throws InterruptedException {
      Candidates.Start s = starts.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      if (s == null) {
        throw new IllegalStateException("no Curator leader within " + WAIT);
      }
      return s;
    }

    Candidate get(String id) {
      return running.stream().filter(c -> c.id.equals(id)).findFirst().orElseThrow();
    }

    /** Waits until every running candidate's latch has joined (its node exists). */
    void awaitJoined() throws InterruptedException {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (running.stream().anyMatch(c -> c.latch.getOurPath() == null)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the Curator candidates did not join in time");
        }
        Thread.sleep(5);
      }
    }

    /** The leader leaves: its latch deletes its node, then its client closes its session. */
    void leave(Candidate c) throws Exception {
      running.remove(c);
      c.latch.close();
      c.client.close();
    }

    /**
     * The leader's process dies right after a request (as the Leasehold leaders die right after a
     * renewal, so the session's countdown starts at the crash): its client can no longer reach the
     * server, which learns it only when the session times out. The client is closed with the group.
     *
     * @return when it died
     */
    long crash(Candidate c) throws Exception {
      c.client.checkExists().forPath("/");
      long at = System.nanoTime();
      // no Curator call in between: Curator would close a session whose servers changed, cleanly
      c.servers.setConnectionString("127.0.0.1:1");
      c.client.getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
      return at;
    }

    @Override
    public void close() {
      for (Candidate c : running) {
        try {
          c.latch.close(LeaderLatch.CloseMode.SILENT);
        } catch (Exception ignored) {
          // closing anyway
        }
        c.client.close();
      }
      running.clear();
    }
  }

  /** Runs the scenarios on a new in-process ZooKeeper server whose sessions may last the lease. */
  static Scenarios.Result run(int handovers, int crashes, int windowSeconds) throws Exception {
    Timings t = Timings.PEERS;
    long session = t.lease.toMillis();
    int tick = (int) Math.max(100, (session + 19) / 20); // sessions of 2-20 ticks
    try (TestingServer server = ZooKeeperServerProcess.server(tick)) {
      return new CuratorScenario(server, session).run(t, handovers, crashes, windowSeconds, tick);
    }
  }

  private Scenarios.Result run(Timings t, int handovers, int crashes, int window, int tick)
      throws Exception {
    Scenarios.Result r =
        new Scenarios.Result(
            "curator", "ZooKeeper watch (session " + sessionMillis + " ms, tick " + tick + " ms)");
    try (Group g = new Group("/handover")) {
      long t0 = System.nanoTime();
      for (int i = 0; i < 3; i++) {
        g.add();
      }
      Candidates.Start s = g.nextStart();
      r.first.add((double) (s.at() - t0));
      Candidate leader = g.get(s.identity());
      g.awaitJoined();
      steadyRates(g, leader, window, r);
      for (int i = 0; i < handovers; i++) {
        g.awaitJoined();
        Thread.sleep(200); // as the Leasehold rows, let the group settle between handovers
        long stop = System.nanoTime();
        g.leave(leader);
        Candidates.Start n = g.nextStart();
        r.handover.add((double) (n.at() - stop));
        leader = g.get(n.identity());
        g.add();
      }
    }
    for (int i = 0; i < crashes; i++) {
      try (Group g = new Group("/crash-" + i)) {
        long t0 = System.nanoTime();
        for (int k = 0; k < 3; k++) {
          g.add();
        }
        Candidates.Start s = g.nextStart();
        r.first.add((double) (s.at() - t0));
        g.awaitJoined();
        Thread.sleep(t.retry.toMillis());
        long crash = g.crash(g.get(s.identity()));
        Candidates.Start n = g.nextStart();
        r.failover.add((double) (n.at() - crash) / t.lease.toNanos());
      }
    }
    return r;
  }

  /** Packets per second each session sent while the leader held, from the server's cons. */
  private void steadyRates(Group g, Candidate leader, int seconds, Scenarios.Result r)
      throws Exception {
    Map<Long, Long> before = packetsBySession();
    long t0 = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    Map<Long, Long> after = packetsBySession();
    double elapsed = (System.nanoTime() - t0) / 1e9;
    double followers = 0;
    int n = 0;
    for (Candidate c : g.running) {
      long session = c.client.getZookeeperClient().getZooKeeper().getSessionId();
      double rate = (after.getOrDefault(session, 0L) - before.getOrDefault(session, 0L)) / elapsed;
      if (c == leader) {
        r.leaderRate = rate;
      } else {
        followers += rate;
        n++;
      }
    }
    r.followerRate = n == 0 ? 0 : followers / n;
  }

  /**
   * Packets received per session id, from {@code cons}: {@code ...(recved=12,...,sid=0x1...,...)}.
   */
  private Map<Long, Long> packetsBySession() throws Exception {
    Map<Long, Long> bySession = new HashMap<>();
    for (String line :
        ZooKeeperServerProcess.fourLetterWord(server.getPort(), "cons").split("\n")) {
      String recved = field(line, "recved=");
      String sid = field(line, "sid=0x");
      if (recved != null && sid != null) {
        bySession.put(Long.parseUnsignedLong(sid, 16), Long.parseLong(recved));
      }
    }
    return bySession;
  }

  private static String field(String line, String key) {
    int at = line.indexOf(key);
    if (at < 0) {
      return null;
    }
    int end = at + key.length();
    while (end < line.length() && Character.isLetterOrDigit(line.charAt(end))) {
      end++;
    }
    return line.substring(at + key.length(), end);
  }
}
