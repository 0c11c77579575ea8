package com.example.invoices;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Sends invoices from exactly one of its running instances: the leader. */
@SpringBootApplication
@EnableScheduling
public class InvoicesApplication {

  /** Starts an instance; start several (different server.port) and stop the leader. */
  public static void main(String[] args) {
    SpringApplication.run(InvoicesApplication.class, args);
  }
}
