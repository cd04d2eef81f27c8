import { compliant, defineRule, insufficient, nonCompliant, notApplicable } from '../../rule.js';
import { bool, field } from '../util.js';

export const rule = defineRule(
  {
    name: 'cmk-backing-key-rotation-enabled',
    resourceTypes: ['AWS::KMS::Key'],
    triggers: ['Periodic'],
    severity: 'MEDIUM',
    title: 'Automatic rotation is enabled for customer managed symmetric KMS keys',
    description: 'Checks that key rotation is enabled for each customer managed symmetric encryption KMS key.',
    risk: 'Without rotation one key version protects data indefinitely, widening the blast radius of a key compromise.',
    remediation: 'aws kms enable-key-rotation --key-id <key>',
    runbook: 'AWSConfigRemediation-EnableKeyRotation',
    frameworks: ['cis-aws-4.0.1:3.6'],
  },
  (ci) => {
    const c = ci.configuration;
    if (field(c, 'keyManager') === 'AWS') return notApplicable('AWS managed key (rotated by AWS)');
    const spec = field(c, 'keySpec') ?? field(c, 'customerMasterKeySpec') ?? 'SYMMETRIC_DEFAULT';
    if (spec !== 'SYMMETRIC_DEFAULT') return notApplicable(`key spec ${String(spec)} cannot be rotated automatically`);
    const state = field(c, 'keyState');
    if (state === 'PendingDeletion' || state === 'Disabled') return notApplicable(`key state ${String(state)}`);
    if (field(c, 'origin') === 'EXTERNAL') return notApplicable('imported key material');
    const rot = bool(ci.supplementaryConfiguration.KeyRotationStatus ?? field(c, 'keyRotationEnabled'));
    if (rot === undefined) return insufficient('key rotation status not collected');
    return rot
      ? compliant('automatic key rotation is enabled', {
          path: 'supplementaryConfiguration.KeyRotationStatus',
          value: true,
        })
      : nonCompliant('automatic key rotation is disabled', {
          path: 'supplementaryConfiguration.KeyRotationStatus',
          value: false,
        });
  },
);
