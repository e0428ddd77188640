/** The actor catalog (data/actors.json): shape checked with zod, aliases indexed for lookup. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { VigilError } from '../core/errors.js';

const share = z.number().min(0).max(1).nullable();

export const actorSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]{1,40}$/),
  name: z.string().min(1).max(80),
  aliases: z.array(z.string().min(1).max(80)).min(1),
  attackId: z.string().regex(/^G\d{4}$/).optional(),
  stixId: z.string().regex(/^intrusion-set--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/).optional(),
  attribution: z.string().optional(),
  kind: z.enum(['nation-state', 'criminal']),
  techniques: z.array(z.string().regex(/^T\d{4}(\.\d{3})?$/)).min(1),
  sectors: z.array(z.string().min(1)).min(1),
  behaviour: z.object({
    summary: z.string().min(1),
    infrastructure: z.object({ tor: share, hosting: share, residentialProxy: share }),
    attemptsPerAccountHour: z.number().positive().nullable(),
    sourcesPerAccountHour: z.number().positive().nullable(),
    campaignDays: z.tuple([z.number().nonnegative(), z.number().positive()]).nullable(),
    organizationsPerCampaign: z.number().int().positive().nullable(),
    accountShare: share,
    workingHoursUtc: z.tuple([z.number().int().min(0).max(23), z.number().int().min(0).max(24)]).nullable(),
    targeting: z.string().min(1),
  }),
  sources: z.array(z.url()).min(1),
});

export const catalogSchema = z.object({
  version: z.number().int().positive(),
  updated: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  note: z.string().optional(),
  actors: z.array(actorSchema).min(1),
});

export type ActorProfile = z.infer<typeof actorSchema>;
export type ActorCatalog = z.infer<typeof catalogSchema>;

export const DEFAULT_ACTORS_FILE = fileURLToPath(new URL('../../data/actors.json', import.meta.url));

export function parseCatalog(input: unknown, file = 'actors.json'): ActorCatalog {
  const r = catalogSchema.safeParse(input);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new VigilError('CONFIG', `${first?.path.join('.') ?? ''}: ${first?.message ?? 'invalid'}`, file);
  }
  return r.data;
}

export function loadCatalog(file = DEFAULT_ACTORS_FILE): ActorCatalog {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new VigilError('CONFIG', `cannot read actor catalog: ${(err as Error).message}`, file);
  }
  return parseCatalog(raw, file);
}

/** names compare without case, spaces, dashes or underscores: "Forest Blizzard" = "forest-blizzard" */
export function nameKey(s: string): string {
  return s.toLowerCase().replace(/[\s_-]+/g, '');
}

/** the catalog entry an intel source means, by ATT&CK id, STIX id, name or any alias */
export function findActor(catalog: ActorCatalog, ref: { name?: string; attackId?: string; stixId?: string; aliases?: string[] }): ActorProfile | undefined {
  for (const a of catalog.actors) {
    if (ref.attackId && a.attackId === ref.attackId.toUpperCase()) return a;
    if (ref.stixId && a.stixId === ref.stixId) return a;
  }
  const wanted = [ref.name, ...(ref.aliases ?? [])].filter((s): s is string => !!s).map(nameKey);
  for (const a of catalog.actors) {
    const names = [a.name, ...a.aliases].map(nameKey);
    if (wanted.some((w) => names.includes(w))) return a;
  }
  return undefined;
}
