// The model: Google's CLD3, a small feed-forward neural network over character n-gram
// embeddings that names the language of a text (107 languages). cld3-asm ships it compiled to
// WebAssembly with its trained weights inside the npm package, so nothing is downloaded at run
// time and it runs on any CPU.
import cld3 from 'cld3-asm';

/** Texts shorter than this many bytes are "und" (undetermined): CLD3 guesses wildly on a word or two. */
export const MIN_BYTES = 10;
/** CLD3 reads at most this many bytes of a text. */
export const MAX_BYTES = 4096;

const names = new Intl.DisplayNames(['en'], { type: 'language' });

/** The English name of a CLD3 language code (`fr` → French, `zh-Latn` → Chinese (Latin)). */
function nameOf(code) {
  if (code === 'und') return 'Undetermined';
  try {
    return names.of(code) ?? code;
  } catch {
    return code;
  }
}

/** Loads the network once; the returned `identify` is synchronous and takes well under a millisecond. */
export async function loadModel() {
  const factory = await cld3.loadModule();
  const identifier = factory.create(MIN_BYTES, MAX_BYTES);
  return {
    identify(text) {
      const result = identifier.findLanguage(text);
      return {
        language: result.language,
        name: nameOf(result.language),
        probability: Math.round(result.probability * 10_000) / 10_000,
        reliable: result.is_reliable,
      };
    },
    dispose: () => identifier.dispose(),
  };
}
