import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';

/** Every dashboard style in one place: small, inline, nothing fetched from a CDN. */
const CSS = `
:root { color-scheme: light dark; --fg: #1d2433; --muted: #667085; --line: #d0d5dd; --card: #f8f9fb; --accent: #3559e0; }
@media (prefers-color-scheme: dark) { :root { --fg: #e4e7ec; --muted: #98a2b3; --line: #344054; --card: #161b26; --accent: #7b9bff; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, sans-serif; color: var(--fg); }
header { display: flex; gap: 1.5rem; align-items: baseline; padding: .8rem 1.5rem; border-bottom: 1px solid var(--line); }
header .brand { font-weight: 700; font-size: 1.1rem; text-decoration: none; color: var(--fg); }
main { max-width: 64rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
a { color: var(--accent); }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: .45rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .8rem; text-transform: uppercase; color: var(--muted); }
.muted { color: var(--muted); }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.2rem; margin: 1rem 0; }
form label { display: block; margin: .5rem 0; }
form input { display: block; width: 100%; max-width: 36rem; padding: .4rem .5rem; font: inherit; border: 1px solid var(--line); border-radius: 6px; }
button { font: inherit; padding: .4rem 1.1rem; border: 0; border-radius: 6px; background: var(--accent); color: #fff; cursor: pointer; }
button:disabled { opacity: .6; }
.badge { display: inline-block; padding: 0 .55rem; border-radius: 999px; font-size: .8rem; font-weight: 600; color: #fff; background: #667085; }
.badge.ready { background: #12805c; } .badge.failed { background: #c4320a; } .badge.superseded, .badge.none { background: #98a2b3; }
.badge.live { background: #b54708; animation: pulse 1.4s ease-in-out infinite; }
@keyframes pulse { 50% { opacity: .55; } }
.error { color: #c4320a; white-space: pre-wrap; }
pre.log { background: #0c111d; color: #d0d5dd; padding: .8rem; border-radius: 8px; max-height: 32rem; overflow: auto; white-space: pre-wrap; font-size: .8rem; }
.timeline { display: grid; grid-template-columns: 6rem 1fr 5rem; gap: .3rem .6rem; align-items: center; }
.timeline .bar { height: .8rem; border-radius: 4px; background: var(--accent); min-width: 2px; }
.timeline .bar.running { background: #b54708; animation: pulse 1.4s ease-in-out infinite; }
h2 .muted { font-size: .9rem; font-weight: 400; }
button.small { font-size: .75rem; padding: .1rem .6rem; vertical-align: middle; }
nav.tabs { display: flex; gap: .3rem; border-bottom: 1px solid var(--line); margin: .5rem 0 1rem; }
nav.tabs a { padding: .35rem .9rem; text-decoration: none; border: 1px solid transparent; border-bottom: 0; border-radius: 6px 6px 0 0; }
nav.tabs a[aria-current="page"] { border-color: var(--line); background: var(--card); color: var(--fg); font-weight: 600; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem 2.5rem; }
figure.chart { margin: 0; }
figure.chart figcaption { font-size: .85rem; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
figure.chart .grid { stroke: var(--line); stroke-width: 1; }
figure.chart text { fill: var(--muted); font-size: 11px; }
figure.chart .line { fill: none; stroke: var(--accent); stroke-width: 1.5; vector-effect: non-scaling-stroke; }
figure.chart .area { fill: var(--accent); opacity: .15; }
.gallery { display: grid; grid-template-columns: repeat(auto-fill, minmax(19rem, 1fr)); gap: 1rem; margin: 1rem 0 2rem; }
.demo-card { display: flex; flex-direction: column; gap: .4rem; background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 1rem 1.1rem; }
.demo-head { display: flex; align-items: center; gap: .6rem; }
.demo-head h2 { flex: 1; margin: 0; font-size: 1.1rem; overflow-wrap: anywhere; }
.demo-head h2 a { color: var(--fg); text-decoration: none; }
.emoji { display: inline-grid; place-items: center; width: 2.4rem; height: 2.4rem; border-radius: 10px; background: var(--line); font-size: 1.4rem; flex: none; }
.demo-card .description { margin: 0; display: -webkit-box; -webkit-line-clamp: 3; -webkit-box-orient: vertical; overflow: hidden; }
.demo-card .source { margin: 0; font-size: .85rem; overflow-wrap: anywhere; }
dl.facts { display: grid; grid-template-columns: auto 1fr; gap: .1rem .8rem; margin: .2rem 0; font-size: .85rem; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
.reason { margin: 0; font-size: .85rem; color: #c4320a; overflow-wrap: anywhere; }
.demo-links { display: flex; justify-content: space-between; align-items: center; margin-top: auto; padding-top: .4rem; }
a.open { font-weight: 600; }
.actions { display: flex; flex-wrap: wrap; gap: .6rem; align-items: flex-end; margin: .6rem 0 1rem; }
form.action { display: inline-flex; gap: .4rem; align-items: flex-end; margin: 0; }
form.action label.token { margin: 0; font-size: .75rem; }
form.action label.token input { width: 10rem; }
a.button { display: inline-block; padding: .4rem 1.1rem; border-radius: 6px; border: 1px solid var(--accent); text-decoration: none; }
button.danger { background: #c4320a; }
button.secondary { background: transparent; color: var(--accent); border: 1px solid var(--accent); }
.notice { background: #ecfdf3; color: #05603a; border: 1px solid #75e0a7; border-radius: 8px; padding: .6rem .9rem; }
@media (prefers-color-scheme: dark) { .notice { background: #053321; color: #a6f4c5; border-color: #085d3a; } }
.problem { background: #fef3f2; color: #b42318; border: 1px solid #fda29b; border-radius: 8px; padding: .6rem .9rem; white-space: pre-wrap; }
@media (prefers-color-scheme: dark) { .problem { background: #55160c; color: #fecdca; border-color: #912018; } }
form.settings fieldset { border: 1px solid var(--line); border-radius: 8px; margin: 1rem 0; padding: .6rem 1rem 1rem; }
form.settings legend { font-weight: 600; padding: 0 .3rem; }
form textarea, form select { display: block; width: 100%; max-width: 36rem; padding: .4rem .5rem; font: .85rem ui-monospace, monospace; border: 1px solid var(--line); border-radius: 6px; }
form select { font: inherit; }
form .hint { font-size: .8rem; color: var(--muted); }
ul.secrets { list-style: none; padding: 0; margin: .3rem 0; }
ul.secrets li { display: flex; gap: .8rem; align-items: center; }
ul.secrets code { font-weight: 600; }
label.inline { display: inline-flex; gap: .3rem; align-items: center; }
label.inline input { width: auto; display: inline; }
table.history td { font-size: .9rem; }
table.history tr.serving { background: var(--card); }
code.commit { font-size: .85rem; }
.swagger-host { background: #fff; color: #3b4151; border-radius: 8px; }
`;

/** The page shell: title, navigation, styles. */
export function Layout({ title, head, children }: { readonly title: string; readonly head?: Child; readonly children?: Child }) {
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${title} · Portico`}</title>
          {head}
          <style dangerouslySetInnerHTML={{ __html: CSS }} />
        </head>
        <body>
          <header>
            <a class="brand" href="/">
              Portico
            </a>
            <nav>
              <a href="/">Projects</a> · <a href="/gpus">GPUs</a> · <a href="/deploy">Deploy</a> · <a href="/api/docs">API</a>
            </nav>
          </header>
          <main>{children}</main>
        </body>
      </html>
    </>
  );
}
