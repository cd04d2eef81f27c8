import { KmsError, notFound, Violations, validation } from './errors.js';
import { ALIAS_NAME, aliasArn } from './ids.js';
import { type AliasRecord, secs } from './model.js';
import { paginate } from './pagination.js';
import type { Handler, Req } from './service.js';

/** Aliases: per account and region, `alias/<name>`, `alias/aws/` reserved for AWS managed keys. */

function aliasName(req: Req, name = 'AliasName'): string {
  const text = req.in.req(name, { min: 1, max: 256 });
  req.in.done();
  if (!text.startsWith('alias/'))
    throw validation(
      'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
    );
  if (!ALIAS_NAME.test(text)) {
    const v = new Violations();
    v.add('aliasName', 'Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$', text);
    v.throwIfAny();
  }
  return text;
}

function reserved(name: string): void {
  if (name.startsWith('alias/aws/'))
    throw new KmsError(
      'NotAuthorizedException',
      'Alias names cannot begin with alias/aws/. That alias name prefix is reserved for AWS managed keys.',
    );
}

const CreateAlias: Handler = (svc, req) => {
  const target = req.in.req('TargetKeyId');
  const name = aliasName(req);
  reserved(name);
  const account = req.ctx.principal.account;
  const k = svc.findKey(req, target, false);
  svc.authorizeKey(req, k, 'CreateAlias');
  svc.requireNotPendingDeletion(k);
  const arn = aliasArn(svc.partition, req.ctx.region, account, name);
  if (svc.alias(account, req.ctx.region, name))
    throw new KmsError('AlreadyExistsException', `An alias with the name ${arn} already exists`);
  const now = svc.now();
  svc.putAlias({ account, region: req.ctx.region, name, keyId: k.keyId, created: now, updated: now });
  return {};
};

function existing(req: Req, account: string, name: string, found: AliasRecord | undefined, partition: string) {
  if (!found) throw notFound(`Alias ${aliasArn(partition, req.ctx.region, account, name)} is not found.`);
  return found;
}

const UpdateAlias: Handler = (svc, req) => {
  const target = req.in.req('TargetKeyId');
  const name = aliasName(req);
  reserved(name);
  const account = req.ctx.principal.account;
  const a = existing(req, account, name, svc.alias(account, req.ctx.region, name), svc.partition);
  const current = svc.liveKey(req.ctx.region, a.keyId);
  const k = svc.findKey(req, target, false);
  if (current) svc.authorizeKey(req, current, 'UpdateAlias');
  svc.authorizeKey(req, k, 'UpdateAlias');
  svc.requireNotPendingDeletion(k);
  if (current && (current.usage !== k.usage || current.spec !== k.spec)) {
    throw validation(
      `Alias ${name} points to a ${current.spec} ${current.usage} key; the new target must have the same key spec and key usage.`,
    );
  }
  svc.putAlias({ ...a, keyId: k.keyId, updated: svc.now() });
  return {};
};

const DeleteAlias: Handler = (svc, req) => {
  const name = aliasName(req);
  reserved(name);
  const account = req.ctx.principal.account;
  const a = existing(req, account, name, svc.alias(account, req.ctx.region, name), svc.partition);
  const k = svc.liveKey(req.ctx.region, a.keyId);
  if (k) svc.authorizeKey(req, k, 'DeleteAlias');
  svc.removeAlias(a);
  return {};
};

const ListAliases: Handler = (svc, req) => {
  const keyId = req.in.str('KeyId', { min: 1, max: 2048 });
  const account = req.ctx.principal.account;
  const k = keyId !== undefined ? svc.findKey(req, keyId, false) : undefined;
  svc.authorizeAccount(req, 'ListAliases');
  const aliases = svc
    .aliasesIn(account, req.ctx.region)
    .filter((a) => (k ? a.keyId === k.keyId : svc.liveKey(a.region, a.keyId) !== undefined))
    .sort((x, y) => x.name.localeCompare(y.name));
  const { page, more } = paginate(req.in, aliases);
  return {
    Aliases: page.map((a) => ({
      AliasName: a.name,
      AliasArn: aliasArn(svc.partition, a.region, a.account, a.name),
      TargetKeyId: a.keyId,
      CreationDate: secs(a.created),
      LastUpdatedDate: secs(a.updated),
    })),
    ...more,
  };
};

export const aliasOperations: Record<string, Handler> = { CreateAlias, UpdateAlias, DeleteAlias, ListAliases };
