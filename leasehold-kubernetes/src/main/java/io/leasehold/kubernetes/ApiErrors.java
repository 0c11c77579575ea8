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
    if (code == CONFLICT) {
      return new LockConflictException(
          type.kind + " " + object + " " + conflictText(verb) + " (HTTP 409): " + detail, e);
    }
    if (code == FORBIDDEN) {
      return new LockException(forbidden(verb, type, namespace, object) + ": " + detail, e);
    }
    if (code == UNAUTHORIZED) {
      return new LockException(
          "the API server rejected the client's credentials (HTTP 401) on "
              + verb
              + " "
              + type.kind
              + " "
              + object
              + "; check the kubeconfig or the service account token: "
              + detail,
          e);
    }
    if (code >= 500 || code == 429) {
      return new LockException(
          "the API server failed to "
              + verb
              + " "
              + type.kind
              + " "
              + object
              + " (HTTP "
              + code
              + "), will retry: "
              + detail,
          e);
    }
    if (code >= 400) {
      return new LockException(
          "the API server refused to "
              + verb
              + " "
              + type.kind
              + " "
              + object
              + " (HTTP "
              + code
              + "): "
              + detail,
          e);
    }
    if (hasCause(e, InterruptedException.class)) {
      Thread.currentThread().interrupt();
      return new LockException("interrupted while trying to " + verb + " " + object, e);
    }
    if (hasCause(e, HttpTimeoutException.class)
        || hasCause(e, TimeoutException.class)
        || hasCause(e, InterruptedIOException.class)) {
      return new LockException(
          "timed out trying to " + verb + " " + type.kind + " " + object + ": " + detail, e);
    }
    if (hasCause(e, ConnectException.class)) {
      return new LockException(
          "cannot reach the API server to " + verb + " " + type.kind + " " + object + ": " + detail,
          e);
    }
    return new LockException(
        "failed to " + verb + " " + type.kind + " " + object + ": " + detail, e);
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
    switch (verb) {
      case "create":
        return "already exists";
      case "update":
        return "was changed by another writer since it was read";
      default:
        return "conflicts";
    }
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
