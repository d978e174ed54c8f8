import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TableAccess } from '../../lambdas/routes.js';
import { repoRoot } from '../../lib/repo-root.js';
import { tableAccessOf as accessOf } from '../support/grants.js';

/**
 * The README's table of what each function may touch (section Privacy) is what a privacy officer or a security
 * review reads: it must say exactly what `lambdas/routes.ts` grants, no more and no less.
 */
type Row = { reads: string[]; writes: string[]; queries: string[]; attributesOnly: boolean };

/** The rows of the table under "What each function may touch": function → its cells, code spans as lists. */
function readmeRows(): Map<string, Row> {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const start = readme.indexOf('What each function may touch');
  expect(start).toBeGreaterThan(-1);
  const lines = readme.slice(start).split('\n');
  const header = lines.findIndex((line) => line.startsWith('| Function |'));
  const rows = new Map<string, Row>();
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const [name, reads, writes, queries] = line
      .split('|')
      .slice(1, 5)
      .map((cell) => [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? ''));
    rows.set(name?.[0] ?? '', {
      reads: reads ?? [],
      writes: writes ?? [],
      queries: queries ?? [],
      attributesOnly: /keys, status and choices only/.test(line.split('|')[4] ?? ''),
    });
  }
  return rows;
}

describe('README: what each function may touch', () => {
  const rows = readmeRows();

  it('lists every function, and no other', () => {
    expect([...rows.keys()].sort()).toEqual(Object.keys(accessOf).sort());
  });

  it.each(Object.keys(accessOf))('%s: the same reads, writes and index partitions as its grant', (name) => {
    const access = accessOf[name] as TableAccess;
    const row = rows.get(name);
    const sorted = (list: readonly string[]) => [...list].sort();
    expect(sorted(row?.reads ?? []), `${name} reads`).toEqual(sorted(access.readKeyPrefixes));
    expect(sorted(row?.writes ?? []), `${name} writes`).toEqual(sorted(access.writeKeyPrefixes));
    expect(sorted(row?.queries ?? []), `${name} queries`).toEqual(sorted(access.queryIndexPartitions));
    expect(row?.attributesOnly, `${name} index attributes`).toBe(access.queryIndexAttributes !== undefined);
  });
});
