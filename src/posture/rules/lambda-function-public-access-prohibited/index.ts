import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { arr, field, hasRestrictingCondition, isObj, isPublicPrincipal, parsePolicy, stmtLabel } from '../util.js';

/** Service principals are public too unless tied to a source account or ARN (AWS's confused-deputy guidance). */
function serviceWithoutSource(principal: unknown, condition: Record<string, unknown> | undefined): boolean {
  if (!isObj(principal) || arr(principal.Service).length === 0) return false;
  return !hasRestrictingCondition(condition);
}

export const rule = defineRule(
  {
    name: 'lambda-function-public-access-prohibited',
    resourceTypes: ['AWS::Lambda::Function'],
    severity: 'CRITICAL',
    title: 'Lambda function policies prohibit public access',
    description: 'Checks whether the resource-based policy of a Lambda function allows invocation by anyone.',
    risk: 'Anyone on the internet (or any account) can invoke the function, run up cost and reach what it can reach.',
    remediation:
      'aws lambda remove-permission --function-name NAME --statement-id SID; re-add with --source-account/--source-arn',
  },
  (ci) => {
    const raw = ci.supplementaryConfiguration.Policy;
    if (raw === undefined) return insufficient('function policy not recorded');
    if (raw === null || raw === '') return compliant('the function has no resource-based policy');
    const stmts = parsePolicy(raw);
    if (!stmts) return insufficient('function policy is not valid JSON');
    for (const s of stmts) {
      if (s.effect !== 'Allow') continue;
      const anyone = isPublicPrincipal(s.principal) && !hasRestrictingCondition(s.condition);
      if (anyone || serviceWithoutSource(s.principal, s.condition))
        return nonCompliant(
          `${stmtLabel(s)} allows ${anyone ? 'any principal' : `service ${String(arr(field(s.principal, 'Service'))[0])} without a source account/ARN condition`} to ${s.actions.join(', ')}`,
          { path: `supplementaryConfiguration.Policy.Statement[${s.index}].Principal`, value: s.principal ?? null },
        );
    }
    return compliant(`none of ${stmts.length} statement(s) allows public access`);
  },
);
