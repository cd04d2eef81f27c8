/**
 * Inputs: AWS Config snapshot and history files (`{fileVersion, configurationItems}`, optionally gzipped), API
 * responses (`configurationItems` / `baseConfigurationItems`), configuration-item change notifications (Lambda / SNS
 * form and the EventBridge envelope, one per file or one per line), and Vigil's own snapshot (`vigilSnapshot: 1`).
 * Several versions of a resource collapse to the newest; deleted resources drop out. Never throws.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { ParseIssue } from '../ingest/types.js';
import type { ConfigItem, Inventory } from './model.js';
import { isDeleted, normalizeCi } from './normalize.js';

export const VIGIL_SNAPSHOT_VERSION = 1;

/** Vigil's snapshot file written by the collector. */
export interface VigilSnapshot {
  vigilSnapshot: typeof VIGIL_SNAPSHOT_VERSION;
  collectedAt: string;
  collectedTypes: string[];
  /** Partial failures of the collection (service, region, API, reason). */
  errors: { service: string; region: string; operation: string; reason: string }[];
  configurationItems: ConfigItem[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Accumulates CIs from many inputs; the newest capture of each resource wins. */
export class InventoryBuilder {
  private readonly byKey = new Map<string, ConfigItem>();
  private collected: Set<string> | undefined;
  private sawConfigSource = false;
  private newest = '';

  constructor(private readonly onIssue: (issue: ParseIssue) => void) {}

  private add(ci: ConfigItem): void {
    const key = `${ci.awsAccountId}|${ci.awsRegion}|${ci.resourceType}|${ci.resourceId}`;
    const prev = this.byKey.get(key);
    const t = ci.configurationItemCaptureTime ?? '';
    if (prev && (prev.configurationItemCaptureTime ?? '') > t) return;
    this.byKey.set(key, ci);
    if (t > this.newest) this.newest = t;
  }

  private addRaw(raw: unknown, file: string, where: { line?: number; index?: number }): void {
    const ci = normalizeCi(raw);
    if (typeof ci === 'string') {
      const at = where.index !== undefined ? ` (configurationItems[${where.index}])` : '';
      this.onIssue({ file, line: where.line, reason: `${ci}${at}` });
      return;
    }
    this.add(ci);
  }

  /** One parsed JSON document (file or line). */
  addDocument(doc: unknown, file: string, line?: number): void {
    if (Array.isArray(doc)) {
      this.sawConfigSource = true;
      for (let i = 0; i < doc.length; i++) this.addRaw(doc[i], file, { line, index: i });
      return;
    }
    if (!isObj(doc)) {
      this.onIssue({ file, line, reason: 'expected a JSON object or array of configuration items' });
      return;
    }
    if (doc.vigilSnapshot !== undefined) {
      if (doc.vigilSnapshot !== VIGIL_SNAPSHOT_VERSION) {
        this.onIssue({ file, line, reason: `unsupported vigilSnapshot version ${String(doc.vigilSnapshot)}` });
        return;
      }
      if (Array.isArray(doc.collectedTypes)) {
        this.collected ??= new Set();
        for (const t of doc.collectedTypes) if (typeof t === 'string') this.collected.add(t);
      }
      const items = Array.isArray(doc.configurationItems) ? doc.configurationItems : [];
      for (let i = 0; i < items.length; i++) this.addRaw(items[i], file, { line, index: i });
      if (typeof doc.collectedAt === 'string' && doc.collectedAt > this.newest) this.newest = doc.collectedAt;
      return;
    }
    if (doc['detail-type'] !== undefined && isObj(doc.detail)) {
      this.addDocument(doc.detail, file, line);
      return;
    }
    if (typeof doc.messageType === 'string') {
      this.sawConfigSource = true;
      if (doc.messageType === 'ConfigurationItemChangeNotification') {
        const ci = isObj(doc.configurationItem) ? doc.configurationItem : undefined;
        if (!ci) this.onIssue({ file, line, reason: 'change notification without configurationItem' });
        else this.addRaw(ci, file, { line });
      } else if (doc.messageType === 'OversizedConfigurationItemChangeNotification') {
        const s = isObj(doc.configurationItemSummary) ? doc.configurationItemSummary : {};
        this.onIssue({
          file,
          line,
          reason: `oversized change notification for ${String(s.resourceType)} ${String(s.resourceId)} carries no configuration; fetch it with GetResourceConfigHistory`,
        });
      }
      // ScheduledNotification and others carry no configuration item: nothing to add.
      return;
    }
    const items = doc.configurationItems ?? doc.baseConfigurationItems;
    if (Array.isArray(items)) {
      this.sawConfigSource = true;
      for (let i = 0; i < items.length; i++) this.addRaw(items[i], file, { line, index: i });
      return;
    }
    if (typeof doc.resourceType === 'string') {
      this.sawConfigSource = true;
      this.addRaw(doc, file, { line });
      return;
    }
    this.onIssue({
      file,
      line,
      reason: 'not a Config snapshot/history file, change notification, configuration item or Vigil snapshot',
    });
  }

  /** Text of one file: a JSON document, or JSON Lines when it does not parse as one document. */
  addText(text: string, file: string): void {
    try {
      this.addDocument(JSON.parse(text), file);
      return;
    } catch {
      // fall through to JSON Lines
    }
    const lines = text.split('\n');
    let parsedAny = false;
    const issues: ParseIssue[] = [];
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!.trim();
      if (l === '') continue;
      let doc: unknown;
      try {
        doc = JSON.parse(l);
      } catch (e) {
        const issue = { file, line: i + 1, reason: `invalid JSON: ${(e as Error).message}` };
        // Until one line parses we do not know whether this is JSON Lines at all: hold the issues back.
        if (parsedAny) this.onIssue(issue);
        else issues.push(issue);
        continue;
      }
      if (!parsedAny) {
        parsedAny = true;
        for (const issue of issues) this.onIssue(issue);
      }
      this.addDocument(doc, file, i + 1);
    }
    if (!parsedAny && issues.length > 0) {
      this.onIssue({ file, line: issues[0]!.line, reason: `not valid JSON or JSON Lines: ${issues[0]!.reason}` });
    }
  }

  addFile(file: string): void {
    let buf: Buffer;
    try {
      buf = readFileSync(file);
    } catch (e) {
      this.onIssue({ file, reason: `cannot read: ${(e as Error).message}` });
      return;
    }
    if (buf[0] === 0x1f && buf[1] === 0x8b) {
      try {
        buf = gunzipSync(buf);
      } catch (e) {
        this.onIssue({ file, reason: `corrupt gzip: ${(e as Error).message}` });
        return;
      }
    }
    this.addText(buf.toString('utf8'), file);
  }

  build(): Inventory {
    const items: ConfigItem[] = [];
    for (const ci of this.byKey.values()) if (!isDeleted(ci)) items.push(ci);
    // Mixing in AWS Config data means we cannot know which types were recorded: coverage becomes unknown.
    const collectedTypes = this.sawConfigSource ? undefined : this.collected;
    return { items, collectedTypes, capturedAt: this.newest || undefined };
  }
}

export function loadInventory(files: string[], onIssue: (issue: ParseIssue) => void): Inventory {
  const b = new InventoryBuilder(onIssue);
  for (const f of files) b.addFile(f);
  return b.build();
}
