package com.example.invoices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.leasehold.spring.LeaseholdElection;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.TestPropertySource;

/** A single instance leads and sends invoices. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@TestPropertySource(
    properties = {
      "leasehold.sqlite.path=${java.io.tmpdir}/invoices-example-test.db",
      "leasehold.name=invoices-test-${random.uuid}",
      "invoices.period=50ms"
    })
class InvoicesApplicationTest {
  @Autowired LeaseholdElection election;
  @Autowired InvoiceSender sender;

  @Test
  void leadsAndSends() {
    await().atMost(Duration.ofSeconds(30)).until(election::isLeader);
    await().atMost(Duration.ofSeconds(30)).until(() -> sender.batches() >= 2);
    assertThat(election.fencingToken()).isPresent();
  }
}
