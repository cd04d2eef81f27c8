/**
 * Everything a Sigma run needs from files: rules, placeholder values and extra pipelines, loaded and validated
 * with every problem reported (never thrown for bad input).
 */

import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { describeError } from '../core/errors.js';
import { loadSigmaPaths } from './collection.js';
import { SigmaEngine } from './engine.js';
import { type Pipeline, parsePipeline } from './pipeline.js';
import type { SigmaCollection, SigmaIssue } from './types.js';

export interface SigmaSetupOptions {
  rules: string[];
  /** YAML file: placeholder name → list of values (or a single value). */
  placeholdersFile?: string;
  /** Placeholder values given directly (merged over the file's). */
  placeholders?: Record<string, string[]>;
  pipelineFiles?: string[];
}

export interface SigmaSetup {
  collection: SigmaCollection;
  engine: SigmaEngine;
  /** Load, whole-set and compile problems, in that order. */
  issues: SigmaIssue[];
  /** Rule files read. */
  files: number;
}

export function loadPlaceholders(file: string, issues: SigmaIssue[]): Record<string, string[]> {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    issues.push({ severity: 'error', file, reason: `placeholders: ${describeError(e).split('\n')[0]}` });
    return {};
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    issues.push({ severity: 'error', file, reason: 'placeholders: expected a map of name → list of values' });
    return {};
  }
  const out: Record<string, string[]> = {};
  for (const [name, v] of Object.entries(doc)) {
    const list = Array.isArray(v) ? v : [v];
    if (list.some((x) => typeof x !== 'string' && typeof x !== 'number')) {
      issues.push({ severity: 'error', file, path: name, reason: 'placeholders: values must be strings or numbers' });
      continue;
    }
    out[name.replace(/^%|%$/g, '')] = list.map(String);
  }
  return out;
}

export function loadSigmaSetup(opts: SigmaSetupOptions): SigmaSetup {
  const issues: SigmaIssue[] = [];
  const placeholders = {
    ...(opts.placeholdersFile ? loadPlaceholders(opts.placeholdersFile, issues) : {}),
    ...(opts.placeholders ?? {}),
  };
  const pipelines: Pipeline[] = [];
  for (const file of opts.pipelineFiles ?? []) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      issues.push({ severity: 'error', file, reason: `cannot read: ${describeError(e)}` });
      continue;
    }
    const r = parsePipeline(text, file);
    issues.push(...r.issues);
    if (r.pipeline) pipelines.push(r.pipeline);
  }
  const stats = { files: 0 };
  const collection = loadSigmaPaths(opts.rules, { placeholders }, stats);
  const engine = new SigmaEngine(collection, { pipelines, placeholders });
  return { collection, engine, issues: [...issues, ...collection.issues, ...engine.issues], files: stats.files };
}
