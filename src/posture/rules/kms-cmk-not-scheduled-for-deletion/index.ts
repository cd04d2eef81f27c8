import { compliant, defineRule, insufficient, nonCompliant, notApplicable } from '../../rule.js';
import { field } from '../util.js';

export const rule = defineRule(
  {
    name: 'kms-cmk-not-scheduled-for-deletion',
    resourceTypes: ['AWS::KMS::Key'],
    triggers: ['Periodic'],
    parameters: [{ name: 'kmsKeyIds', type: 'list', description: 'Only evaluate these key IDs' }],
    severity: 'HIGH',
    title: 'KMS keys are not scheduled for deletion',
    description: 'Checks whether customer managed KMS keys are scheduled for deletion.',
    risk: 'Once deleted, data encrypted under the key is unrecoverable.',
    remediation: 'aws kms cancel-key-deletion --key-id <key> (then re-enable it).',
  },
  (ci, p) => {
    if (Array.isArray(p.kmsKeyIds) && p.kmsKeyIds.length > 0 && !p.kmsKeyIds.includes(ci.resourceId))
      return notApplicable('key not in kmsKeyIds');
    if (field(ci.configuration, 'keyManager') === 'AWS') return notApplicable('AWS managed key');
    const state = field(ci.configuration, 'keyState');
    const ev = { path: 'configuration.keyState', value: state ?? null };
    if (state === undefined) return insufficient('keyState not recorded', ev);
    if (state === 'PendingDeletion' || state === 'PendingReplicaDeletion')
      return nonCompliant(
        `key is ${String(state)} (deletion date ${String(field(ci.configuration, 'deletionDate') ?? 'unknown')})`,
        ev,
      );
    return compliant(`key state ${String(state ?? 'unknown')}`, ev);
  },
);
