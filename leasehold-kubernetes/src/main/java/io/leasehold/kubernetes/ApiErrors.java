package io.leasehold.kubernetes;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.leasehold.leaderelection.resourcelock.LockConflictException;
import io.leasehold.leaderelection.resourcelock.LockException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.TimeoutException;

/**
 * Turns fabric8's {@link KubernetesClientException} into the lock SPI's exceptions, by HTTP status
 * code only (reason texts differ between API servers and mocks).
 */
final class ApiErrors {
  static final int NOT_FOUND = 404;
  static final int CONFLICT = 409;
  static final int FORBIDDEN = 403;
  static final int UNAUTHORIZED = 401;

  private ApiErrors() {}

  /**
   * Translates a failed call. 404 is the caller's business and must be handled before.
   *
   * @param verb the RBAC verb of the call: get, create, update, watch...
   * @param type the resource called
   * @param namespace its namespace
   * @param object a description of the object, such as {@code ns/name}
   */
  static LockException translate(
      KubernetesClientException e,
      String verb,
      ResourceType type,
      String namespace,
      String object) {
    int code = e.getCode();
    String detail = detail(e);
    String call = verb + " " + type.kind + " " + object; // "update Lease ns/name"
    if (code == CONFLICT) {
      return new LockConflictException(
          type.kind + " " + object + " " + conflictText(verb) + " (HTTP 409): " + detail, e);
    }
    if (code == FORBIDDEN) {
      return new LockException(forbidden(verb, type, namespace, object) + ": " + detail, e);
    }
    String message;
    if (code == UNAUTHORIZED) {
      message =
          "the API server rejected the client's credentials (HTTP 401) on %s; check the kubeconfig"
              + " or the service account token: %s";
    } else if (code >= 500 || code == 429) {
      message = "the API server failed to %s (HTTP " + code + "), will retry: %s";
    } else if (code >= 400) {
      message = "the API server refused to %s (HTTP " + code + "): %s";
    } else if (hasCause(e, InterruptedException.class)) {
      Thread.currentThread().interrupt();
      message = "interrupted while trying to %s: %s";
    } else if (hasCause(e, HttpTimeoutException.class)
        || hasCause(e, TimeoutException.class)
        || hasCause(e, InterruptedIOException.class)) {
      message = "timed out trying to %s: %s";
    } else if (hasCause(e, ConnectException.class)) {
      message = "cannot reach the API server to %s: %s";
    } else {
      message = "failed to %s: %s";
    }
    return new LockException(message.formatted(call, detail), e);
  }

  /** The sentence saying which permission is missing. */
  static String forbidden(String verb, ResourceType type, String namespace, String object) {
    return "forbidden (HTTP 403): RBAC does not allow this client to "
        + verb
        + " "
        + type.rbacName()
        + " in namespace \""
        + namespace
        + "\" (lock "
        + object
        + "); grant verb \""
        + verb
        + "\" on resource \""
        + type.plural
        + "\" of API group "
        + type.rbacGroup()
        + " in a Role bound to this service account (see docs/kubernetes-rbac.yaml)";
  }

  private static String conflictText(String verb) {
    return switch (verb) {
      case "create" -> "already exists";
      case "update" -> "was changed by another writer since it was read";
      default -> "conflicts";
    };
  }

  /** The server's own message when there is one, else fabric8's. */
  static String detail(KubernetesClientException e) {
    Status status = e.getStatus();
    if (status != null && status.getMessage() != null && !status.getMessage().isEmpty()) {
      return status.getMessage();
    }
    Throwable cause = e;
    String message = e.getMessage();
    while ((message == null || message.isEmpty()) && cause.getCause() != null) {
      cause = cause.getCause();
      message = cause.getMessage();
    }
    return message == null ? cause.getClass().getSimpleName() : message;
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
