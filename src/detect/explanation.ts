import type { Alert } from '../core/types.js';
import { SnapshotError } from './state/snapshot-error.js';

/** The values an explanation is written from, fixed when the alert is raised. */
export type ExplainParams = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * How an alert explains itself: a named text template and its values. Plain data rather than a
 * closure, so an alert under construction can be written into an engine snapshot and go on
 * explaining itself the same way after a restart.
 */
export interface Explanation {
  readonly template: string;
  readonly params: ExplainParams;
}

type Render = (a: Alert, p: ExplainParams) => string;

const templates = new Map<string, Render>();

/**
 * Register a template under a unique name (at module load) and get the function that makes its
 * explanations. The alert passed to `render` is the one outputs see (sorted users and addresses).
 */
export function explanationTemplate<P extends ExplainParams>(name: string, render: (a: Alert, p: P) => string): (p: P) => Explanation {
  if (templates.has(name)) throw new Error(`explanation template "${name}" is defined twice`);
  templates.set(name, render as unknown as Render);
  return (params) => ({ template: name, params });
}

/** A template without values: the one explanation it makes. */
export function fixedExplanation(name: string, render: (a: Alert) => string): Explanation {
  return explanationTemplate(name, (a) => render(a))({});
}

export function renderExplanation(x: Explanation, a: Alert): string {
  const render = templates.get(x.template);
  if (!render) throw new Error(`no explanation template "${x.template}"`);
  return render(a, x.params);
}

/** An explanation read from a snapshot, checked against the templates this version has. */
export function checkedExplanation(x: Explanation): Explanation {
  if (typeof x?.template !== 'string' || !templates.has(x.template) || typeof x.params !== 'object' || x.params === null) {
    throw new SnapshotError(`the snapshot names an explanation this version does not have (${String(x?.template)})`);
  }
  return x;
}
