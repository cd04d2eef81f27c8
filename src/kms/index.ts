import { aliasOperations } from './ops-aliases.js';
import { cryptoOperations } from './ops-crypto.js';
import { grantOperations } from './ops-grants.js';
import { importOperations } from './ops-import.js';
import { keyOperations } from './ops-keys.js';
import { rotationOperations } from './ops-rotation.js';
import { type KmsOptions, KmsService } from './service.js';

/** A key service with every implemented operation registered. */
export function createKmsService(opts: KmsOptions = {}): KmsService {
  const svc = new KmsService(opts);
  svc.register({
    ...keyOperations,
    ...aliasOperations,
    ...cryptoOperations,
    ...rotationOperations,
    ...grantOperations,
    ...importOperations,
  });
  return svc;
}

export { AuditTrail, cloudTrailRecord } from './audit.js';
export { authorize, type Decision } from './authz.js';
export { KmsError } from './errors.js';
export { type Principal, principalFromArn } from './principal.js';
export { ALL_OPERATIONS, type CallContext, type KmsOptions, KmsService } from './service.js';
