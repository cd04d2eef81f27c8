import {
  GenerateCredentialReportCommand,
  GetAccessKeyLastUsedCommand,
  GetAccountPasswordPolicyCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  GetGroupCommand,
  GetLoginProfileCommand,
  GetPolicyVersionCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsCommand,
  ListMFADevicesCommand,
  ListPoliciesCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import { type AccountFacts, emptyCi } from '../model.js';
import { type Collection, iso, lowerCamel } from './context.js';

const NOT_FOUND = ['NoSuchEntityException', 'NoSuchEntity'];

/** Parse the IAM credential report CSV (no quoted fields in practice; handled anyway). */
export function parseCredentialReport(csv: string): Record<string, string>[] {
  const lines = csv.split(/\r?\n/).filter((l) => l !== '');
  const split = (l: string) => l.split(',').map((c) => c.replace(/^"(.*)"$/, '$1'));
  const header = split(lines[0] ?? '');
  return lines.slice(1).map((l) => {
    const cells = split(l);
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
  });
}

/** IAM is global: collected once, reported with awsRegion "global". Fills the account facts. */
export async function collectIam(col: Collection, facts: AccountFacts): Promise<void> {
  const region = 'us-east-1';
  const iam = new IAMClient(col.clientConfig(region));
  const S = 'iam';
  const send = <T>(op: string, fn: (signal: AbortSignal) => Promise<T>) => col.call(S, 'global', op, fn);

  const [users, summary, pw, policies, groups] = await Promise.all([
    col.pages(S, 'global', 'ListUsers', async (Marker, abortSignal) => {
      const r = await iam.send(new ListUsersCommand({ Marker, MaxItems: 1000 }), { abortSignal });
      return [r.Users ?? [], r.IsTruncated ? r.Marker : undefined];
    }),
    send('GetAccountSummary', (abortSignal) => iam.send(new GetAccountSummaryCommand({}), { abortSignal })),
    col.callOptional(
      S,
      'global',
      'GetAccountPasswordPolicy',
      (abortSignal) => iam.send(new GetAccountPasswordPolicyCommand({}), { abortSignal }),
      NOT_FOUND,
    ),
    col.pages(S, 'global', 'ListPolicies', async (Marker, abortSignal) => {
      const r = await iam.send(new ListPoliciesCommand({ Scope: 'Local', Marker, MaxItems: 1000 }), { abortSignal });
      return [r.Policies ?? [], r.IsTruncated ? r.Marker : undefined];
    }),
    col.pages(S, 'global', 'ListGroups', async (Marker, abortSignal) => {
      const r = await iam.send(new ListGroupsCommand({ Marker, MaxItems: 1000 }), { abortSignal });
      return [r.Groups ?? [], r.IsTruncated ? r.Marker : undefined];
    }),
  ]);
  if (pw !== undefined)
    facts.passwordPolicy = pw === null ? null : ((pw.PasswordPolicy ?? null) as Record<string, unknown> | null);
  if (summary?.SummaryMap) facts.accountSummary = summary.SummaryMap as Record<string, number>;

  // Credential report: generation is asynchronous; poll a few times.
  for (let i = 0; i < 5; i++) {
    const g = await send('GenerateCredentialReport', (abortSignal) =>
      iam.send(new GenerateCredentialReportCommand({}), { abortSignal }),
    );
    if (!g || g.State === 'COMPLETE') break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const rep = await send('GetCredentialReport', (abortSignal) =>
    iam.send(new GetCredentialReportCommand({}), { abortSignal }),
  );
  if (rep?.Content) facts.credentialReport = parseCredentialReport(Buffer.from(rep.Content).toString('utf8'));

  if (users) {
    col.collectedTypes.add('AWS::IAM::User');
    await Promise.all(
      users.map(async (u) => {
        const UserName = u.UserName!;
        col.accountId ??= /^arn:aws[\w-]*:iam::(\d{12}):/.exec(u.Arn ?? '')?.[1];
        const [keys, mfa, login, inline, attached] = await Promise.all([
          send('ListAccessKeys', (abortSignal) => iam.send(new ListAccessKeysCommand({ UserName }), { abortSignal })),
          send('ListMFADevices', (abortSignal) => iam.send(new ListMFADevicesCommand({ UserName }), { abortSignal })),
          col.callOptional(
            S,
            'global',
            'GetLoginProfile',
            (abortSignal) => iam.send(new GetLoginProfileCommand({ UserName }), { abortSignal }),
            NOT_FOUND,
          ),
          send('ListUserPolicies', (abortSignal) =>
            iam.send(new ListUserPoliciesCommand({ UserName }), { abortSignal }),
          ),
          send('ListAttachedUserPolicies', (abortSignal) =>
            iam.send(new ListAttachedUserPoliciesCommand({ UserName }), { abortSignal }),
          ),
        ]);
        const accessKeys = keys
          ? await Promise.all(
              (keys.AccessKeyMetadata ?? []).map(async (k) => {
                const used = await send('GetAccessKeyLastUsed', (abortSignal) =>
                  iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: k.AccessKeyId }), { abortSignal }),
                );
                return {
                  accessKeyId: k.AccessKeyId,
                  status: k.Status,
                  createDate: iso(k.CreateDate),
                  lastUsedDate: iso(used?.AccessKeyLastUsed?.LastUsedDate),
                };
              }),
            )
          : undefined;
        const ci = emptyCi({
          resourceType: 'AWS::IAM::User',
          resourceId: u.UserId!,
          resourceName: UserName,
          arn: u.Arn,
          awsRegion: 'global',
          awsAccountId: col.accountId ?? 'unknown',
          configuration: {
            ...(lowerCamel(u) as Record<string, unknown>),
            ...(inline ? { userPolicyList: (inline.PolicyNames ?? []).map((policyName) => ({ policyName })) } : {}),
            ...(attached ? { attachedManagedPolicies: lowerCamel(attached.AttachedPolicies ?? []) } : {}),
          },
        });
        if (accessKeys) ci.supplementaryConfiguration.AccessKeys = accessKeys;
        if (mfa) ci.supplementaryConfiguration.MfaDevices = lowerCamel(mfa.MFADevices ?? []);
        if (login !== undefined)
          ci.supplementaryConfiguration.LoginProfile =
            login === null ? null : { createDate: iso(login.LoginProfile?.CreateDate) };
        col.add(ci);
      }),
    );
  }

  if (groups) {
    col.collectedTypes.add('AWS::IAM::Group');
    // GetGroup gives the members; each user's CI also gets Config's groupList.
    const groupsOf = new Map<string, string[]>();
    await Promise.all(
      groups.map(async (g) => {
        const members = await col.pages(S, 'global', 'GetGroup', async (Marker, abortSignal) => {
          const r = await iam.send(new GetGroupCommand({ GroupName: g.GroupName, Marker, MaxItems: 1000 }), {
            abortSignal,
          });
          return [r.Users ?? [], r.IsTruncated ? r.Marker : undefined];
        });
        const ci = emptyCi({
          resourceType: 'AWS::IAM::Group',
          resourceId: g.GroupId!,
          resourceName: g.GroupName,
          arn: g.Arn,
          awsRegion: 'global',
          awsAccountId: col.accountId ?? 'unknown',
          configuration: lowerCamel(g) as Record<string, unknown>,
        });
        if (members) {
          ci.supplementaryConfiguration.Users = members.map((m) => ({ userName: m.UserName, userId: m.UserId }));
          for (const m of members) groupsOf.set(m.UserName!, [...(groupsOf.get(m.UserName!) ?? []), g.GroupName!]);
        }
        col.add(ci);
      }),
    );
    for (const ci of col.items)
      if (ci.resourceType === 'AWS::IAM::User' && ci.resourceName)
        ci.configuration.groupList = groupsOf.get(ci.resourceName) ?? [];
  }

  if (policies) {
    col.collectedTypes.add('AWS::IAM::Policy');
    await Promise.all(
      policies.map(async (p) => {
        const v = await send('GetPolicyVersion', (abortSignal) =>
          iam.send(new GetPolicyVersionCommand({ PolicyArn: p.Arn, VersionId: p.DefaultVersionId }), { abortSignal }),
        );
        col.add(
          emptyCi({
            resourceType: 'AWS::IAM::Policy',
            resourceId: p.PolicyId!,
            resourceName: p.PolicyName,
            arn: p.Arn,
            awsRegion: 'global',
            awsAccountId: col.accountId ?? 'unknown',
            configuration: {
              ...(lowerCamel(p) as Record<string, unknown>),
              policyVersionList: v?.PolicyVersion
                ? [{ versionId: v.PolicyVersion.VersionId, isDefaultVersion: true, document: v.PolicyVersion.Document }]
                : [],
            },
          }),
        );
      }),
    );
  }
}
