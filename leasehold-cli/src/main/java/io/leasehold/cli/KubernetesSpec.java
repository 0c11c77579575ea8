package io.leasehold.cli;

/** {@code kubernetes:<namespace>}: wired when the Kubernetes module provides its factory. */
final class KubernetesSpec {
  private KubernetesSpec() {}

  static LockSpec parse(String namespace, LockOptions o) {
    throw new IllegalArgumentException(
        "kubernetes: lock specs are not available in this build yet");
  }
}
