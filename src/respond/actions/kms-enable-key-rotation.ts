/** Enable automatic rotation of a customer-managed symmetric KMS key. */
import { z } from 'zod';
import { defineAction } from './define.js';
import { awsClient, blockedPlan, call, makePlan } from './sdk.js';

const params = z.object({
  keyId: z.string().min(1).describe('Key id or ARN'),
  rotationPeriodInDays: z.number().int().min(90).max(2560).optional(),
});
type Params = z.infer<typeof params>;

export const kmsEnableKeyRotation = defineAction<Params>({
  name: 'kms-enable-key-rotation',
  category: 'logging',
  title: 'Enable KMS key rotation',
  description:
    'Turns on automatic key rotation for a customer-managed symmetric key. AWS-managed, asymmetric, HMAC and imported-material keys cannot rotate; the plan is blocked for them.',
  params,
  permissions: ['kms:DescribeKey', 'kms:EnableKeyRotation', 'kms:GetKeyRotationStatus'],
  undo: 'kms:DisableKeyRotation on the key (older key material stays available for decryption).',
  references: [
    'AWS Config rule cmk-backing-key-rotation-enabled',
    'AWS Security Hub ASR playbook KMS.4 (EnableKeyRotation)',
    'CIS AWS Foundations Benchmark 3.6',
  ],
  target: (p) => p.keyId,
  async plan(p, ctx) {
    const name = 'kms-enable-key-rotation';
    const kms = await import('@aws-sdk/client-kms');
    const c = await awsClient(ctx, 'kms');
    const meta = (await c.send(new kms.DescribeKeyCommand({ KeyId: p.keyId }))).KeyMetadata;
    const target = meta?.Arn ?? p.keyId;
    const observed = {
      keyManager: meta?.KeyManager,
      keySpec: meta?.KeySpec,
      origin: meta?.Origin,
      state: meta?.KeyState,
    };
    if (meta?.KeyManager === 'AWS')
      return blockedPlan(name, target, 'AWS-managed keys rotate automatically and cannot be changed', observed);
    if (meta?.KeySpec && meta.KeySpec !== 'SYMMETRIC_DEFAULT') {
      return blockedPlan(name, target, `${meta.KeySpec} keys do not support automatic rotation`, observed);
    }
    if (meta?.Origin === 'EXTERNAL')
      return blockedPlan(name, target, 'keys with imported material cannot rotate automatically', observed);
    if (meta?.KeyState && meta.KeyState !== 'Enabled')
      return blockedPlan(name, target, `key state is ${meta.KeyState}`, observed);
    const st = await c.send(new kms.GetKeyRotationStatusCommand({ KeyId: p.keyId }));
    const periodOk = p.rotationPeriodInDays === undefined || st.RotationPeriodInDays === p.rotationPeriodInDays;
    const calls =
      st.KeyRotationEnabled && periodOk
        ? []
        : [
            call(
              'kms:EnableKeyRotation',
              p.rotationPeriodInDays === undefined
                ? { KeyId: p.keyId }
                : { KeyId: p.keyId, RotationPeriodInDays: p.rotationPeriodInDays },
              st.KeyRotationEnabled
                ? `rotation period is ${st.RotationPeriodInDays} days`
                : 'automatic rotation is disabled',
            ),
          ];
    return makePlan(name, target, calls, { ...observed, rotationEnabled: !!st.KeyRotationEnabled });
  },
});
