/**
 * Generic outbound actions: a notification (Slack incoming-webhook blocks or plain JSON) and a ticket payload
 * (Jira "create issue" or GitHub "create an issue" shaped). Both make one `http:POST` call whose body is in the plan,
 * so a dry run shows exactly what would be sent. Secrets go in headers as `${env:NAME}`, expanded only when sending.
 * A POST is never a no-op: every planned run sends once. The body's SHA-256 is sent as Idempotency-Key so a receiver
 * (or a proxy) can drop a retried duplicate.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { PlannedCall } from '../action.js';
import { defineAction } from './define.js';
import { makePlan } from './sdk.js';

const headers = z
  .record(z.string(), z.string())
  .default({})
  .describe(`Extra headers; write secrets as \${env:NAME}, e.g. {"authorization": "Bearer \${env:JIRA_TOKEN}"}`);
/** An http(s) URL, or `${env:NAME}` naming a variable that holds one (Slack webhook URLs are secrets). */
const url = z.string().refine((s) => {
  if (/^\$\{env:[A-Za-z_][A-Za-z0-9_]*\}$/.test(s)) return true;
  try {
    return /^https?:$/.test(new URL(s).protocol);
  } catch {
    return false;
  }
}, `must be an http(s) URL or \${env:NAME}`);
const targetOf = (u: string) => (u.startsWith(`\${env:`) ? u : new URL(u).origin);

const fields = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({});

const notifyParams = z.object({
  url,
  format: z.enum(['slack', 'json']).default('json'),
  title: z.string().min(1).max(150),
  text: z.string().max(3000).default(''),
  severity: z.union([z.string(), z.number()]).transform(String).optional(),
  fields,
  link: z.url().optional(),
  headers,
});
type NotifyParams = z.infer<typeof notifyParams>;

const ticketParams = z
  .object({
    url,
    format: z.enum(['jira', 'github']),
    title: z.string().min(1).max(255),
    description: z.string().max(30000).default(''),
    fields,
    labels: z.array(z.string().regex(/^\S+$/, 'labels cannot contain spaces')).default(['vigil', 'security']),
    projectKey: z.string().optional().describe('Jira project key (required for jira)'),
    issueType: z.string().default('Task'),
    priority: z.string().optional(),
    assignees: z.array(z.string()).default([]).describe('GitHub logins'),
    headers,
  })
  .refine((p) => p.format !== 'jira' || p.projectKey, {
    message: 'projectKey is required for jira',
    path: ['projectKey'],
  });
type TicketParams = z.infer<typeof ticketParams>;

/** Pure: the Slack incoming-webhook body (Block Kit; ≤10 fields per section). */
export function slackBody(p: NotifyParams) {
  const prefix = p.severity ? `[${p.severity}] ` : '';
  const entries = Object.entries(p.fields);
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: `${prefix}${p.title}`.slice(0, 150) } },
  ];
  if (p.text) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: p.text } });
  for (let i = 0; i < entries.length; i += 10) {
    blocks.push({
      type: 'section',
      fields: entries.slice(i, i + 10).map(([k, v]) => ({ type: 'mrkdwn', text: `*${k}*\n${String(v)}` })),
    });
  }
  if (p.link) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `<${p.link}|Details>` } });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Sent by Vigil' }] });
  return { text: `${prefix}${p.title}${p.text ? `\n${p.text}` : ''}`, blocks };
}

/** Pure: the plain JSON notification body. */
export function jsonBody(p: NotifyParams) {
  return {
    source: 'vigil',
    title: p.title,
    text: p.text,
    severity: p.severity ?? null,
    fields: p.fields,
    link: p.link ?? null,
  };
}

function fieldsText(f: Record<string, unknown>, markdown: boolean): string {
  const rows = Object.entries(f);
  if (!rows.length) return '';
  return markdown
    ? `\n\n| Field | Value |\n|---|---|\n${rows.map(([k, v]) => `| ${k} | ${String(v).replace(/\|/g, '\\|')} |`).join('\n')}`
    : `\n\n${rows.map(([k, v]) => `${k}: ${String(v)}`).join('\n')}`;
}

/** Pure: the ticket body in Jira REST v2 "create issue" or GitHub "create an issue" shape. */
export function ticketBody(p: TicketParams) {
  if (p.format === 'jira') {
    return {
      fields: {
        project: { key: p.projectKey },
        summary: p.title,
        description: `${p.description}${fieldsText(p.fields, false)}`,
        issuetype: { name: p.issueType },
        labels: p.labels,
        ...(p.priority ? { priority: { name: p.priority } } : {}),
      },
    };
  }
  return {
    title: p.title,
    body: `${p.description}${fieldsText(p.fields, true)}`,
    labels: p.labels,
    ...(p.assignees.length ? { assignees: p.assignees } : {}),
  };
}

function postCall(url: string, hdrs: Record<string, string>, body: unknown, reason: string): PlannedCall {
  const key = createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 32);
  return { action: 'http:POST', params: { url, headers: { ...hdrs, 'idempotency-key': key }, body }, reason };
}

export const notifyWebhook = defineAction<NotifyParams>({
  name: 'notify-webhook',
  category: 'generic',
  title: 'Notify a webhook / Slack',
  description:
    'POSTs a summary (title, text, severity, fields, link) to a webhook: Slack incoming-webhook Block Kit or plain JSON. Never a no-op; an Idempotency-Key header lets receivers drop duplicates.',
  params: notifyParams,
  permissions: [],
  undo: 'Not undoable (a message was sent).',
  references: ['Slack incoming webhooks (Block Kit)', 'AWS Security Hub ASR notifications (SNS)'],
  testing: `Against a local HTTP server: the plan shows the body, apply POSTs exactly it with \${env:} headers expanded. Not idempotent by design (no no-op replan).`,
  target: (p) => targetOf(p.url),
  async plan(p) {
    const body = p.format === 'slack' ? slackBody(p) : jsonBody(p);
    return makePlan('notify-webhook', targetOf(p.url), [postCall(p.url, p.headers, body, `notify: ${p.title}`)], {
      format: p.format,
    });
  },
});

export const ticketWebhook = defineAction<TicketParams>({
  name: 'ticket-webhook',
  category: 'generic',
  title: 'Open a ticket (Jira / GitHub issue payload)',
  description: `POSTs an issue-creation payload shaped for Jira (REST v2 /rest/api/2/issue) or GitHub (/repos/{owner}/{repo}/issues). Authentication goes in headers as \${env:NAME}. Never a no-op.`,
  params: ticketParams,
  permissions: [],
  undo: 'Close or delete the created ticket in the tracker (its id is in the call response).',
  references: ['Jira Cloud REST API v2: Create issue', 'GitHub REST API: Create an issue'],
  testing: `Against a local HTTP server (GitHub shape POSTed; HTTP 500 and unset \${env:} become CallResult errors); Jira body checked as a pure function. Not idempotent by design.`,
  target: (p) => targetOf(p.url),
  async plan(p) {
    return makePlan(
      'ticket-webhook',
      targetOf(p.url),
      [postCall(p.url, p.headers, ticketBody(p), `open a ${p.format} ticket: ${p.title}`)],
      { format: p.format },
    );
  },
});
