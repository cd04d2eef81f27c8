import { isoSeconds } from './clock.js';
import { type IamUser, PROD, ROOT, type Role } from './world.js';

/**
 * CloudTrail `userIdentity` objects (logs.md §1.2) for the identities of the world. `arnOf` gives the ARN that
 * S3 server access logs print as the requester for the same caller.
 */

export type Identity = Record<string, unknown>;

/** An IAM user calling with its long-term key (AKIA…). */
export function userWithKey(u: IamUser, accessKeyId = u.accessKey): Identity {
  return { type: 'IAMUser', principalId: u.id, arn: u.arn, accountId: PROD, accessKeyId, userName: u.name };
}

/** An IAM user in a console session (temporary ASIA… credentials, MFA state of the sign-in). */
export function userConsole(u: IamUser, sessionKey: string, signIn: number, mfa: boolean): Identity {
  return {
    type: 'IAMUser',
    principalId: u.id,
    arn: u.arn,
    accountId: PROD,
    accessKeyId: sessionKey,
    userName: u.name,
    sessionContext: {
      sessionIssuer: {},
      webIdFederationData: {},
      attributes: { creationDate: isoSeconds(signIn), mfaAuthenticated: String(mfa) },
    },
  };
}

export function rootConsole(sessionKey: string, signIn: number): Identity {
  return {
    type: 'Root',
    principalId: ROOT.principalId,
    arn: ROOT.arn,
    accountId: PROD,
    accessKeyId: sessionKey,
    sessionContext: {
      sessionIssuer: {},
      webIdFederationData: {},
      attributes: { creationDate: isoSeconds(signIn), mfaAuthenticated: 'false' },
    },
  };
}

export interface RoleSessionOpts {
  invokedBy?: string;
  ec2?: boolean;
  account?: string;
}

/** An assumed-role session (`arn:aws:sts::<acct>:assumed-role/<role>/<session>`). */
export function roleSession(
  role: Role,
  session: string,
  key: string,
  created: number,
  o: RoleSessionOpts = {},
): Identity {
  const account = o.account ?? PROD;
  const id: Identity = {
    type: 'AssumedRole',
    principalId: `${role.id}:${session}`,
    arn: `arn:aws:sts::${account}:assumed-role/${role.name}/${session}`,
    accountId: account,
    accessKeyId: key,
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: role.id, arn: role.arn, accountId: account, userName: role.name },
      webIdFederationData: {},
      attributes: { creationDate: isoSeconds(created), mfaAuthenticated: 'false' },
      ...(o.ec2 ? { ec2RoleDelivery: '2.0' } : {}),
    },
  };
  if (o.invokedBy) id.invokedBy = o.invokedBy;
  return id;
}

export function awsService(invokedBy: string): Identity {
  return { type: 'AWSService', invokedBy };
}

/** The ARN an S3 server access log prints as requester for this identity. */
export function arnOf(id: Identity): string {
  return typeof id.arn === 'string' ? id.arn : '-';
}
