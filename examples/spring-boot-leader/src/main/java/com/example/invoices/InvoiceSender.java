package com.example.invoices;

import io.leasehold.spring.LeaderOnly;
import io.leasehold.spring.Leadership;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** The singleton work: runs on every instance's scheduler, but only the leader's calls run it. */
@Component
public class InvoiceSender {
  private static final Logger log = LoggerFactory.getLogger(InvoiceSender.class);
  private final AtomicLong batches = new AtomicLong();

  /** Sends the due invoices; the fencing token lets the store reject a deposed leader's writes. */
  @Scheduled(fixedDelayString = "${invoices.period:2s}")
  @LeaderOnly
  public void sendDueInvoices() {
    long token = Leadership.fencingToken();
    log.info("sending batch {} as leader (fencing token {})", batches.incrementAndGet(), token);
  }

  /** How many batches this instance sent. */
  public long batches() {
    return batches.get();
  }
}
