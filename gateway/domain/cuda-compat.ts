/**
 * Can a GPU run a CUDA image? Two questions: is the host's driver new enough for the image's
 * CUDA, and does that CUDA still build for the GPU's architecture (compute capability)?
 *
 * Portico deliberately does NOT apply CUDA "minor version compatibility" (any 12.x on any
 * driver >= 525). The NVIDIA Container Toolkit checks the image's `NVIDIA_REQUIRE_CUDA`
 * when the container starts, and the nvidia/cuda images (and NGC images built on them) set
 * it to the exact minor (`cuda>=12.8`): a 12.8 image on a 535 driver fails with
 * "requirement error: unsatisfied condition: cuda>=12.8" (e.g. NVIDIA/nvidia-container-toolkit#152).
 * The same variable also lists `brand=tesla,driver>=535,driver<536`-style exceptions, which let
 * data-centre GPUs on long-term driver branches run newer minors through the forward
 * compatibility package; Portico does not count on those either, since they hold only for
 * some GPUs, some branches and images that ship that package. Refusing in seconds beats a
 * container that dies at start.
 */

/**
 * Minimum Linux x86_64 driver for the GA (first) release of each CUDA minor, from NVIDIA's
 * CUDA Toolkit release notes, Table 3 "CUDA Toolkit and Corresponding Driver Versions"
 * (checked against a copy of the 13.2 Update 2 notes, which lists 7.0 through 13.2).
 * 11.0 uses its first (RC) release, 450.36.06, the first driver that reports CUDA 11.0; its GA
 * release lists 450.51.05. All other rows are the GA rows as printed there.
 */
const MIN_DRIVER: ReadonlyArray<readonly [cuda: string, driver: string]> = [
  ['9.0', '384.81'], ['9.1', '390.46'], ['9.2', '396.26'],
  ['10.0', '410.48'], ['10.1', '418.39'], ['10.2', '440.33'],
  ['11.0', '450.36.06'], ['11.1', '455.23'], ['11.2', '460.27.03'], ['11.3', '465.19.01'],
  ['11.4', '470.42.01'], ['11.5', '495.29.05'], ['11.6', '510.39.01'], ['11.7', '515.43.04'],
  ['11.8', '520.61.05'],
  ['12.0', '525.60.13'], ['12.1', '530.30.02'], ['12.2', '535.54.03'], ['12.3', '545.23.06'],
  ['12.4', '550.54.14'], ['12.5', '555.42.02'], ['12.6', '560.28.03'], ['12.8', '570.26'],
  ['12.9', '575.51.03'],
  ['13.0', '580.65.06'], ['13.1', '590.44.01'], ['13.2', '595.45.04'],
];

/**
 * Oldest compute capability each CUDA major still builds for: 9.x dropped Fermi (2.x),
 * 11.0 dropped 3.0, 12.0 dropped Kepler (3.5/3.7), 13.0 dropped Maxwell, Pascal and Volta.
 * Newer GPUs need no upper bound: the driver JIT-compiles the PTX every toolkit embeds.
 */
const MIN_COMPUTE_CAPABILITY: ReadonlyArray<readonly [major: number, cc: string]> = [
  [9, '3.0'], [10, '3.0'], [11, '3.5'], [12, '5.0'], [13, '7.5'],
];

/** Compute capability of GPUs operators are likely to have, for messages and for pools that name only a model. */
export const KNOWN_GPUS: Readonly<Record<string, string>> = {
  K80: '3.7', M60: '5.2', P100: '6.0', V100: '7.0', T4: '7.5',
  A100: '8.0', A10: '8.6', A10G: '8.6', L4: '8.9', L40S: '8.9', H100: '9.0', H200: '9.0',
};

/** `12.4`, `12.4.1` → [12, 4]; anything else → null. */
function majorMinor(cuda: string): [number, number] | null {
  const match = /^(\d+)\.(\d+)(?:\.\d+)?$/.exec(cuda.trim());
  return match ? [Number(match[1]), Number(match[2])] : null;
}

/**
 * Numeric comparison of dotted versions (`535.104.05` < `570.26`); missing parts count as 0.
 * Negative when `a` is older, positive when newer, 0 when equal.
 */
export function compareDriverVersions(a: string, b: string): number {
  const parts = (version: string): number[] => {
    if (!/^\d+(?:\.\d+)*$/.test(version.trim())) throw new Error(`'${version}' is not a dotted version number like 550.54.14`);
    return version.trim().split('.').map(Number);
  };
  const [left, right] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}

/**
 * The oldest driver that runs this CUDA version. A minor the table lacks (a future 14.0, or a
 * 12.7 that never shipped) gets the row of the newest version below it: drivers only ever get
 * newer, so that much is certainly needed. Null for versions older than the table, or text
 * that is not a version.
 */
export function minDriverFor(cuda: string): string | null {
  const version = majorMinor(cuda);
  if (!version) return null;
  let found: string | null = null;
  for (const [known, driver] of MIN_DRIVER) {
    const [major, minor] = majorMinor(known)!;
    if (major < version[0] || (major === version[0] && minor <= version[1])) found = driver;
  }
  return found;
}

/** Whether a host driver is new enough for the CUDA version; true when no minimum is known. */
export function driverSupports(driver: string, cuda: string): boolean {
  const minimum = minDriverFor(cuda);
  return minimum === null || compareDriverVersions(driver, minimum) >= 0;
}

/** The oldest compute capability this CUDA version still builds for, or null when not known. */
export function minComputeCapabilityFor(cuda: string): string | null {
  const version = majorMinor(cuda);
  if (!version) return null;
  let found: string | null = null;
  for (const [major, cc] of MIN_COMPUTE_CAPABILITY) if (major <= version[0]) found = cc;
  return found;
}

/** Whether CUDA `cuda` can run on a GPU of compute capability `cc` (`'7.5'`). */
export function supportsComputeCapability(cuda: string, cc: string): boolean {
  const minimum = minComputeCapabilityFor(cuda);
  return minimum === null || compareDriverVersions(cc, minimum) >= 0;
}

/** The compute capability of a GPU named as nvidia-smi names it (`Tesla T4`, `NVIDIA A100-SXM4-40GB`), if known. */
export function computeCapabilityOf(gpuModel: string): string | null {
  for (const word of gpuModel.toUpperCase().split(/[^A-Z0-9]+/)) {
    if (Object.hasOwn(KNOWN_GPUS, word)) return KNOWN_GPUS[word]!;
  }
  return null;
}

/** Known GPU models this CUDA version runs on, oldest architecture first, for "use e.g. …" hints. */
export function knownGpusFor(cuda: string): string[] {
  return Object.entries(KNOWN_GPUS)
    .filter(([, cc]) => supportsComputeCapability(cuda, cc))
    .sort(([, a], [, b]) => compareDriverVersions(a, b))
    .map(([model]) => model);
}
