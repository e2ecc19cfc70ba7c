import { UserError } from '../../core/errors';

/**
 * OpenShift is refused: its supported audit setting is the `APIServer` resource's `spec.audit` (a profile: Default,
 * WriteRequestBodies, AllRequestBodies or None, per group with customRules; openshift/api config/v1/types_apiserver.go
 * @ 0175dd10), with no custom policy and no webhook. The only route to a webhook seen is `unsupportedConfigOverrides`
 * on the KubeAPIServer operator, which sets Upgradeable=False and so blocks cluster upgrades
 * (openshift/cluster-kube-apiserver-operator#304; research §5.4).
 * @internal
 */
export function openshiftRefusal(): UserError {
  return new UserError(
    'OpenShift is not supported: its API server takes audit profiles only (APIServer spec.audit.profile: Default, ' +
      'WriteRequestBodies, AllRequestBodies or None), with no custom policy and no webhook; the one way to a webhook is the ' +
      "KubeAPIServer operator's unsupportedConfigOverrides, which marks the cluster Upgradeable=False and blocks upgrades. " +
      'Instead: set spec.audit.profile on the APIServer resource "cluster" (e.g. WriteRequestBodies), and have a log shipper on ' +
      "the control-plane nodes post the API servers' audit log to Falco's k8saudit webhook (as the Falco blog does for Talos)",
    { field: 'controlPlane' },
  );
}
