import { ApiObject } from 'cdk8s';

/**
 * Removes the namespace a Chart stamps on every object it holds, cluster-scoped kinds included
 * (cdk8s-team/cdk8s-core#731). A ClusterRole or AuditSink with a namespace is refused by strict
 * validation and confuses Argo CD's diff. Call it right after constructing the object.
 */
export function clusterScoped<T extends ApiObject>(obj: T): T {
  (obj.metadata as { namespace?: string }).namespace = undefined;
  return obj;
}
