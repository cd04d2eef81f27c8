/**
 * `vigil:remediation:<action>` bus targets. Registering the respond group used to register them at once, which
 * loaded the whole remediation library (every AWS SDK client it uses) on every start-up. Now registerRespond only
 * marks them as wanted, and each action that can deliver to bus targets (bus serve, detect --route, audit / posture
 * scan / drift / respond run with a bus config) calls prepareBusTargets() before it loads its bus config — the same
 * targets, registered before the first delivery, and only when the respond group is part of the program.
 */
let wanted = false;

export function wantRemediationTargets(): void {
  wanted = true;
}

export async function prepareBusTargets(): Promise<void> {
  if (wanted) (await import('./commands/respond-actions.js')).ensureRemediationTargets();
}
