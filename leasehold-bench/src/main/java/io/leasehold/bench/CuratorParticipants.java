package io.leasehold.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.retry.ExponentialBackoffRetry;

/**
 * Apache Curator {@code LeaderLatch} candidates in a child process, one per election, on one {@code
 * CuratorFramework} client whose ZooKeeper session lasts the lease: the reference peer. ZooKeeper
 * keeps one session per client alive with pings, whatever the number of latches; a latch's follower
 * watches the node just ahead of its own.
 */
final class CuratorParticipants implements Participants {
  private final ChildArgs args;
  private final ElectionCounters counters;
  private final List<LeaderLatch> latches = new ArrayList<>();
  private CuratorFramework client;

  CuratorParticipants(ChildArgs args) {
    this.args = args;
    this.counters = new ElectionCounters(Long.MAX_VALUE);
  }

  /** A client of one session of {@code sessionMillis} on {@code connectString}, started. */
  static CuratorFramework client(String connectString, long sessionMillis) {
    return client(CuratorFrameworkFactory.builder().connectString(connectString), sessionMillis);
  }

  /** A client of one session of {@code sessionMillis} on the servers {@code builder} names. */
  static CuratorFramework client(CuratorFrameworkFactory.Builder builder, long sessionMillis) {
    CuratorFramework c =
        builder
            .sessionTimeoutMs((int) sessionMillis)
            .connectionTimeoutMs((int) Math.min(sessionMillis, 15_000))
            .retryPolicy(new ExponentialBackoffRetry(100, 5))
            .build();
    c.start();
    return c;
  }

  @Override
  public void connect() throws Exception {
    client = client(args.target(), args.lease().toMillis());
    if (!client.blockUntilConnected(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("no ZooKeeper connection to " + args.target());
    }
    client.checkExists().forPath("/"); // the first call
  }

  @Override
  public void prepare(int elections) {
    for (int i = 0; i < elections; i++) {
      LeaderLatch latch = new LeaderLatch(client, "/elections/e" + i, args.identity());
      latch.addListener(
          new LeaderLatchListener() {
            @Override
            public void isLeader() {
              counters.startedLeading();
            }

            @Override
            public void notLeader() {
              counters.stoppedLeading();
            }
          });
      latches.add(latch);
    }
  }

  @Override
  public void start() throws Exception {
    for (LeaderLatch l : latches) {
      l.start();
    }
  }

  @Override
  public ElectionCounters counters() {
    return counters;
  }

  @Override
  public void closeElections() throws Exception {
    for (LeaderLatch l : latches) {
      l.close(LeaderLatch.CloseMode.SILENT);
    }
    latches.clear();
  }

  @Override
  public void closeClient() {
    client.close();
  }
}
