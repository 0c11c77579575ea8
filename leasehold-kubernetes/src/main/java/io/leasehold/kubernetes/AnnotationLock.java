package io.leasehold.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.leasehold.leaderelection.resourcelock.LeaderElectionRecord;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The legacy locks' mapping: the record is JSON in the annotation {@value
 * KubernetesLocks#LEADER_ANNOTATION} of any object (a ConfigMap, an Endpoints). An object without
 * the annotation holds the empty record; an annotation that is not a record is corrupt. The raw
 * bytes are the annotation's text as stored, as in client-go.
 */
abstract class AnnotationLock extends ObjectLock {

  AnnotationLock(ResourceType type, LockSettings settings) {
    super(type, settings);
  }

  @Override
  LeaderElectionRecord readRecord(GenericKubernetesResource object) {
    String json = annotations(object).get(KubernetesLocks.LEADER_ANNOTATION);
    if (json == null) {
      return LeaderElectionRecord.EMPTY;
    }
    try {
      return RecordJson.read(json);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "annotation " + KubernetesLocks.LEADER_ANNOTATION + ": " + e.getMessage(), e);
    }
  }

  @Override
  byte[] raw(GenericKubernetesResource object, LeaderElectionRecord record) {
    String json = annotations(object).get(KubernetesLocks.LEADER_ANNOTATION);
    return json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  void writeRecord(
      LeaderElectionRecord record,
      GenericKubernetesResource target,
      Map<String, String> annotations) {
    annotations.put(KubernetesLocks.LEADER_ANNOTATION, RecordJson.write(record));
  }
}
