import { createHash } from 'node:crypto';

/** A DNS label holds at most 63 characters. */
export const MAX_LABEL_LENGTH = 63;
const HASH_LENGTH = 8;

/**
 * One name part as Ainize wrote it: CamelCase split by hyphens (`JoJoGAN` → `jo-jo-gan`,
 * `KoGPT2` → `ko-gpt2`), lowercased, every other character a hyphen, runs collapsed, trimmed.
 */
export function labelPart(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2') // fooBar → foo-Bar, gpt2Story → gpt2-Story
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2') // GANModel → GAN-Model
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * The endpoint label `{branch}-{repo}-{owner}`. A label longer than 63 characters is cut and
 * ends in a hash of the full name, so two projects never share one.
 */
export function endpointLabel(branch: string, repo: string, owner: string): string {
  const label = [branch, repo, owner].map(labelPart).filter(Boolean).join('-');
  if (label.length === 0) throw new RangeError('an endpoint label needs at least one letter or digit');
  if (label.length <= MAX_LABEL_LENGTH) return label;
  const hash = createHash('sha256').update(`${branch}\n${repo}\n${owner}`).digest('hex').slice(0, HASH_LENGTH);
  const head = label.slice(0, MAX_LABEL_LENGTH - HASH_LENGTH - 1).replace(/-+$/, '');
  return `${head}-${hash}`;
}

/** Whether a string is a label Portico could have made (a valid lowercase DNS label). */
export function isEndpointLabel(text: string): boolean {
  return text.length <= MAX_LABEL_LENGTH && /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/.test(text);
}
