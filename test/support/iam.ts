/**
 * IAM's `StringLike` for one value: `*` matches any run of characters (including none), `?` exactly one;
 * everything else literally, case-sensitive, over the whole value.
 */
export function iamStringLike(pattern: string, value: string): boolean {
  const regex = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${regex}$`, 's').test(value);
}
