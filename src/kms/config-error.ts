import { VigilError } from '../core/errors.js';

/** A KMS setup problem the user must fix (root key, credentials, seed or state file): printed without a stack. */
export class KmsConfigError extends VigilError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'KmsConfigError';
  }
}
