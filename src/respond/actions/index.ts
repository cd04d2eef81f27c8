/** The remediation action library: every action, looked up by name. */
import type { Action } from '../action.js';
import { ec2RevokePublicIngress } from './ec2-revoke-public-ingress.js';
import { iamDeactivateAccessKey } from './iam-deactivate-access-key.js';

export { validateParams } from './define.js';
export { apiOf, applyCalls } from './sdk.js';

export const ACTIONS: Action[] = [ec2RevokePublicIngress, iamDeactivateAccessKey] as unknown as Action[];

const BY_NAME = new Map(ACTIONS.map((a) => [a.name, a]));

export function actionByName(name: string): Action | undefined {
  return BY_NAME.get(name);
}
