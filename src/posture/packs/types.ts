/** Packs are data: controls mapped to rules (with parameters), no code. */
export interface PackRuleRef {
  rule: string;
  params?: Record<string, string>;
}

export interface PackControl {
  id: string;
  title: string;
  level?: string;
  automated: boolean;
  rules: PackRuleRef[];
  /** Why an automated control has no rule yet (stated, not hidden). */
  unmapped?: string;
}

export interface Pack {
  id: string;
  title: string;
  controls: PackControl[];
}
