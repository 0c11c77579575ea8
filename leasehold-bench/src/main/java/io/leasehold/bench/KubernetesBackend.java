package io.leasehold.bench;

/** The Kubernetes mock API server backend: wired once the Kubernetes module lands. */
final class KubernetesBackend {
  private KubernetesBackend() {}

  static Backend start() {
    throw new IllegalArgumentException("kubernetes: not wired into the benchmark yet");
  }
}
