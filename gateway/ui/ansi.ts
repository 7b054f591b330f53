import Convert from 'ansi-to-html';

/**
 * Build and runtime logs carry terminal colours (`\x1b[31m…`). They are rendered as coloured
 * spans, every other character escaped; the control sequences that only move a terminal's
 * cursor or erase its lines (progress bars) are dropped, since a page cannot replay them.
 */

/** Colours that read well on the log panel's dark background. */
const PALETTE = ['#667085', '#f97066', '#47cd89', '#fdb022', '#53b1fd', '#ee46bc', '#22ccee', '#d0d5dd', '#98a2b3', '#fda29b', '#75e0a7', '#fec84b', '#84caff', '#f670c7', '#67e3f9', '#ffffff'];
const OPTIONS = { fg: '#d0d5dd', bg: '#0c111d', escapeXML: true, newline: false, colors: PALETTE };

/** CSI sequences other than SGR (`m`, colours), and OSC sequences (window titles, hyperlinks). */
const NON_COLOUR = /\x1b\[[0-9;?]*[A-Za-ln-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;

/** The text as HTML: colours as `<span style="color:…">`, everything else escaped. Pure. */
export function ansiToHtml(text: string): string {
  return new Convert(OPTIONS).toHtml(text.replace(NON_COLOUR, ''));
}

/**
 * The same for a log that arrives in chunks: a colour set in one chunk carries into the next,
 * as it does in a terminal. One per streamed log.
 */
export function ansiStream(): (chunk: string) => string {
  const converter = new Convert({ ...OPTIONS, stream: true });
  return (chunk) => converter.toHtml(chunk.replace(NON_COLOUR, ''));
}

/** The text with every escape sequence removed, for places that show plain text (titles, one-line reasons). */
export function stripAnsi(text: string): string {
  return text.replace(NON_COLOUR, '').replace(/\x1b\[[0-9;]*m/g, '');
}
