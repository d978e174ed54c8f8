import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The hexagon's rules, read from the import lines themselves (TypeScript's own pre-parser, so multi-line,
 * type-only and dynamic imports all count): adapters depend only on the ports and the domain (and on each
 * other), never on the use cases they serve; use cases never on adapters, HTTP or handlers; the domain and
 * the ports on nothing outside the domain.
 */

const lambdas = path.resolve(import.meta.dirname, '../../lambdas');

const sourceFiles = (folder: string) =>
  readdirSync(path.join(lambdas, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join(lambdas, folder, file));

/** The files under `lambdas/` that a source file imports, as paths relative to `lambdas/`. */
function localImports(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .map(({ fileName }) => fileName)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => path.relative(lambdas, path.resolve(path.dirname(file), specifier)));
}

/** Besides ports and domain: other adapters, and the validated configuration's types (a leaf module). */
const allowedForAdapters = (target: string) =>
  ['ports.js', 'config.js'].includes(target) ||
  target.startsWith(`domain${path.sep}`) ||
  target.startsWith(`adapters${path.sep}`);

describe('the layers of lambdas/', () => {
  const adapterFiles = sourceFiles('adapters');

  it('finds the adapters and their imports', () => {
    expect(adapterFiles.length).toBeGreaterThan(5);
    expect(adapterFiles.flatMap(localImports)).toContain('ports.js');
  });

  it('keeps every adapter free of use-case imports', () => {
    const offending = adapterFiles.flatMap((file) =>
      localImports(file)
        .filter((target) => target.startsWith(`use-cases${path.sep}`))
        .map((target) => `${path.relative(lambdas, file)} imports ${target}`),
    );
    expect(offending).toEqual([]);
  });

  it('lets adapters import only the ports, the domain, other adapters and the configuration', () => {
    const offending = adapterFiles.flatMap((file) =>
      localImports(file)
        .filter((target) => !allowedForAdapters(target))
        .map((target) => `${path.relative(lambdas, file)} imports ${target}`),
    );
    expect(offending).toEqual([]);
  });

  it('keeps the use cases free of adapters, HTTP, handlers and the composition roots', () => {
    const outward = /^(adapters|http|handlers)\/|^(composition|email-composition|observability)\.js$/;
    const offending = sourceFiles('use-cases').flatMap((file) =>
      localImports(file)
        .filter((target) => outward.test(target.split(path.sep).join('/')))
        .map((target) => `${path.relative(lambdas, file)} imports ${target}`),
    );
    expect(offending).toEqual([]);
  });

  it('keeps the domain to itself', () => {
    const offending = sourceFiles('domain').flatMap((file) =>
      localImports(file)
        .filter((target) => !target.startsWith(`domain${path.sep}`))
        .map((target) => `${path.relative(lambdas, file)} imports ${target}`),
    );
    expect(offending).toEqual([]);
  });

  it('keeps the ports to the domain alone', () => {
    const targets = localImports(path.join(lambdas, 'ports.ts'));
    expect(targets.filter((target) => !target.startsWith(`domain${path.sep}`))).toEqual([]);
  });
});
