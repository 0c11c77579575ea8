package io.leasehold.kubernetes;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;

/** The namespaced Kubernetes resources Leasehold uses, with what RBAC and the API call them. */
enum ResourceType {
  LEASES("coordination.k8s.io", "v1", "Lease", "leases"),
  CONFIGMAPS("", "v1", "ConfigMap", "configmaps"),
  ENDPOINTS("", "v1", "Endpoints", "endpoints"),
  EVENTS("", "v1", "Event", "events");

  final String group;
  final String version;
  final String kind;
  final String plural;
  final ResourceDefinitionContext context;

  ResourceType(String group, String version, String kind, String plural) {
    this.group = group;
    this.version = version;
    this.kind = kind;
    this.plural = plural;
    this.context =
        new ResourceDefinitionContext.Builder()
            .withGroup(group)
            .withVersion(version)
            .withKind(kind)
            .withPlural(plural)
            .withNamespaced(true)
            .build();
  }

  /** The lock resource of this apiVersion and kind, or null when it is not one of the three. */
  static ResourceType lockTypeOf(String apiVersion, String kind) {
    for (ResourceType t : List.of(LEASES, CONFIGMAPS, ENDPOINTS)) {
      if (t.kind.equals(kind) && t.apiVersion().equals(apiVersion)) {
        return t;
      }
    }
    return null;
  }

  /** {@code coordination.k8s.io/v1} or {@code v1}. */
  String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  /** The name RBAC and kubectl use: {@code leases.coordination.k8s.io}, or {@code configmaps}. */
  String rbacName() {
    return group.isEmpty() ? plural : plural + "." + group;
  }

  /** How RBAC rules name the API group: {@code "coordination.k8s.io"}, or {@code ""} for core. */
  String rbacGroup() {
    return "\"" + group + "\"" + (group.isEmpty() ? " (core)" : "");
  }

  @Override
  public String toString() {
    return rbacName();
  }
}
