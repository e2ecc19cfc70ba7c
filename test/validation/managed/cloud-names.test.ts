/* The cloud APIs' naming rules (lib/validation/managed/cloud-names.ts cites a source for each). */
import {
  awsAccountIdProblems,
  awsRegionProblems,
  azureResourceIdProblems,
  blobContainerNameProblems,
  eksClusterNameProblems,
  eventHubNameProblems,
  eventHubsNamespaceNameProblems,
  gcpProjectIdProblems,
  gcpServiceAccountIdProblems,
  iamRoleArnProblems,
  iamRoleNameProblems,
  loggingSinkNameProblems,
  oidcIssuerUrlProblems,
  pubSubNameProblems,
  storageAccountNameProblems,
} from '../../../lib/validation/managed';

const CASES: [string, (v: string) => string[], string[], string[]][] = [
  ['EKS cluster name', eksClusterNameProblems, ['prod', 'Prod_EU-1', '1cluster', 'c'.repeat(100)], ['', '-prod', '_x', 'a.b', 'c'.repeat(101)]],
  ['IAM role name', iamRoleNameProblems, ['falco-audit', 'a+b=c,d.e@f_g', 'r'.repeat(64)], ['', 'falco audit', 'a/b', 'r'.repeat(65)]],
  ['AWS region', awsRegionProblems, ['eu-west-1', 'us-gov-west-1', 'cn-north-1'], ['', '-eu', 'eu_west_1', 'eu.west']],
  ['AWS account ID', awsAccountIdProblems, ['123456789012', '000000000000'], ['12345678901', '1234567890123', '12345678901a']],
  [
    'IAM role ARN',
    iamRoleArnProblems,
    ['arn:aws:iam::123456789012:role/falco', 'arn:aws-cn:iam::123456789012:role/path/to/falco', 'arn:aws-us-gov:iam::123456789012:role/f'],
    ['falco', 'arn:aws:iam::123456789012:user/falco', 'arn:aws:iam::1234:role/falco', 'arn:aws:iam::123456789012:role/fal co'],
  ],
  [
    'OIDC issuer URL',
    oidcIssuerUrlProblems,
    ['https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE', 'https://issuer.example.com'],
    [
      'http://oidc.eks.eu-west-1.amazonaws.com/id/X',
      'https://issuer.example.com/?a=b',
      'https://issuer.example.com/#x',
      'oidc.eks.eu-west-1.amazonaws.com/id/X',
    ],
  ],
  [
    'GCP project ID',
    gcpProjectIdProblems,
    ['my-project-123', 'abcdef', 'a'.repeat(30)],
    ['abcde', 'My-project', '1project', 'project-', 'a'.repeat(31)],
  ],
  ['Pub/Sub name', pubSubNameProblems, ['falco-gke-audit', 'Ab.c~d+e%f_g', 'a'.repeat(255)], ['ab', '1topic', 'goog-topic', 'a/b', 'a'.repeat(256)]],
  ['service account ID', gcpServiceAccountIdProblems, ['falco-audit', 'abcdef'], ['falco', 'Falco-audit', 'falco-audit-', '1falco', 'f'.repeat(31)]],
  ['sink ID', loggingSinkNameProblems, ['falco-gke-audit', 'A_b.c-1'], ['', '-sink', 'a/b', 's'.repeat(101)]],
  [
    'Azure resource ID',
    (v) => azureResourceIdProblems(v),
    [
      '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.EventHub/namespaces/ns',
      '/subscriptions/0000',
      '/SUBSCRIPTIONS/0000/RESOURCEGROUPS/rg',
    ],
    ['subscriptions/0000', '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.EventHub', 'rg/ns'],
  ],
  [
    'AKS cluster resource ID',
    (v) => azureResourceIdProblems(v, 'Microsoft.ContainerService/managedClusters'),
    ['/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/prod'],
    [
      '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.EventHub/namespaces/ns',
      '/subscriptions/0000/providers/Microsoft.ContainerService/managedClusters/prod',
    ],
  ],
  [
    'Event Hubs namespace',
    eventHubsNamespaceNameProblems,
    ['falco-audit', 'Ns123456', 'n'.repeat(50)],
    ['ns-1234', '1namespace', 'namespace-', 'n'.repeat(51)],
  ],
  ['event hub', eventHubNameProblems, ['aks-audit', 'h', 'h'.repeat(256)], ['', 'h'.repeat(257)]],
  ['storage account', storageAccountNameProblems, ['falcocheckpoints', 'abc', 'a'.repeat(24)], ['ab', 'Falco', 'falco-ckpt', 'a'.repeat(25)]],
  [
    'blob container',
    blobContainerNameProblems,
    ['falco-checkpoints', 'abc', 'a1-b2'],
    ['ab', 'Falco', '-falco', 'falco-', 'falco--x', 'a'.repeat(64)],
  ],
];

describe.each(CASES)('%s', (_what, problems, good, bad) => {
  test.each(good)('%j is valid', (v) => {
    expect(problems(v)).toEqual([]);
  });
  test.each(bad)('%j is not', (v) => {
    expect(problems(v).length).toBeGreaterThan(0);
  });
});
