/**
 * Message templates: plain files with {{field}} placeholders, nothing else (no logic, no code).
 * Values are escaped for the markup of the output (HTML, Slack mrkdwn, Teams markdown); template
 * text is trusted as written. An unknown {{field}} is a configuration error found at load time.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { VigilError } from '../core/errors.js';
import type { Audience } from './types.js';

export type Markup = 'text' | 'html' | 'slack' | 'teams';
export type TemplateValue = string | readonly string[];
export type TemplateVars = Record<string, TemplateValue>;

export const TEMPLATE_FIELDS = [
  'product', 'alertId', 'kindTitle', 'severity', 'confidence', 'tenant', 'firstSeen', 'lastSeen',
  'explanation', 'attempts', 'failures', 'successes', 'users', 'sourceIps', 'refs', 'actions',
  'campaignId', 'actor', 'person', 'whatHappened', 'gotIn', 'steps', 'contact',
] as const;
const KNOWN = new Set<string>(TEMPLATE_FIELDS);

/** bounded and linear: a name of at most 40 word characters between braces */
const PLACEHOLDER = /\{\{ ?([A-Za-z][A-Za-z0-9]{0,39}) ?\}\}/g;
const MAX_TEMPLATE = 64 * 1024;

export const DEFAULT_TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

/** The parts of a message for one audience; each is a file `<audience>.<part>` in the folder. */
export interface TemplateSet {
  subject: string;
  text: string;
  html: string;
}

const PARTS: Record<keyof TemplateSet, string> = { subject: 'subject.txt', text: 'txt', html: 'html' };

function readTemplate(dirs: readonly string[], file: string): string {
  for (const dir of dirs) {
    let body: string;
    try {
      body = readFileSync(path.join(dir, file), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new VigilError('CONFIG', `template ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (body.length > MAX_TEMPLATE) throw new VigilError('CONFIG', `template ${file}: larger than 64 KiB`);
    for (const m of body.matchAll(PLACEHOLDER)) {
      if (!KNOWN.has(m[1]!)) throw new VigilError('CONFIG', `template ${file}: unknown field {{${m[1]!}}}`, path.join(dir, file));
    }
    return body;
  }
  throw new VigilError('CONFIG', `template ${file}: not found`);
}

export function loadTemplates(audience: Audience, userDir?: string): TemplateSet {
  const dirs = userDir === undefined ? [DEFAULT_TEMPLATES_DIR] : [userDir, DEFAULT_TEMPLATES_DIR];
  return {
    subject: readTemplate(dirs, `${audience}.${PARTS.subject}`),
    text: readTemplate(dirs, `${audience}.${PARTS.text}`),
    html: readTemplate(dirs, `${audience}.${PARTS.html}`),
  };
}

const HTML_ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const SLACK_ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

export function escapeFor(markup: Markup, s: string): string {
  // control characters (other than newline and tab) never reach a message
  const clean = s.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ');
  switch (markup) {
    case 'text':
      return clean;
    case 'html':
      return clean.replace(/[&<>"']/g, (c) => HTML_ESC[c]!);
    case 'slack':
      return clean.replace(/[&<>]/g, (c) => SLACK_ESC[c]!);
    case 'teams':
      // user names come from attackers: no markdown links, emphasis or headings from them
      return clean.replace(/[\\`*_[\]()#>~!|]/g, (c) => `\\${c}`);
  }
}

function renderList(markup: Markup, items: readonly string[]): string {
  if (items.length === 0) return markup === 'html' ? '' : '(none)';
  const esc = items.map((i) => escapeFor(markup, i));
  if (markup === 'html') return `<ul>${esc.map((i) => `<li>${i}</li>`).join('')}</ul>`;
  return esc.map((i) => `${markup === 'slack' ? '•' : '-'} ${i}`).join('\n');
}

export function render(template: string, vars: TemplateVars, markup: Markup): string {
  return template.replace(PLACEHOLDER, (_all, name: string) => {
    const v = Object.hasOwn(vars, name) ? vars[name] : undefined;
    if (v === undefined) return '';
    return typeof v === 'string' ? escapeFor(markup, v) : renderList(markup, v as readonly string[]);
  });
}

/** A subject line: one line, no markup. */
export function renderSubject(template: string, vars: TemplateVars): string {
  return render(template, vars, 'text').replace(/\s+/g, ' ').trim().slice(0, 200);
}
