'use strict';
// Renders a moment of a terminal recording of `keygate rehearse` to a PNG, for the README: the
// recording's bytes (with the live view's in-place redraws, colours and spinners) are replayed into
// xterm.js, the terminal emulator of VS Code, in headless Chromium, and the screen is photographed.
// Not part of the tests. The tools are not keygate's dependencies; install them apart (git-ignored):
//
//   apt-get install chromium     # Debian's; no browser download at run time
//   npm install --prefix .aws-sam/keygate/readme-tools playwright-core@1.65.2 @xterm/xterm@6.0.0
//   script -q -T rec.timing -c "stty cols 118 rows 30; node bin/keygate.cjs rehearse --config examples/two-targets.yaml --speed 10" rec.log
//   node scripts/progress-screenshot.cjs rec.log rec.timing 'Await Gateway Target Ready [tickets]' 4 docs/images/rehearse-progress.png
//
// Replays the recording up to the first chunk that contains MARKER, then AFTER chunks more (so that
// the spinners and "waiting" lines of that moment are drawn), and photographs the screen.
const { readFileSync } = require('node:fs');
const path = require('node:path');

const tools = path.join(__dirname, '..', '.aws-sam', 'keygate', 'readme-tools', 'node_modules');
const { chromium } = require(path.join(tools, 'playwright-core'));

async function main() {
  const [log, timing, marker, after, out] = process.argv.slice(2);
  if (!out) throw new Error('usage: node scripts/progress-screenshot.cjs LOG TIMING MARKER AFTER OUT.png');
  const bytes = readFileSync(log);
  // `script` writes a header line before the session's bytes; the timing file counts from after it.
  const start = bytes.indexOf(0x0a) + 1;
  const sizes = readFileSync(timing, 'utf8').trim().split('\n').map((l) => Number(l.split(' ')[1]));
  let end = start;
  let found = -1;
  for (let i = 0; i < sizes.length; i++) {
    const chunk = bytes.subarray(end, end + sizes[i]);
    end += sizes[i];
    if (found < 0 && chunk.includes(marker)) found = i;
    if (found >= 0 && i >= found + Number(after)) break;
  }
  if (found < 0) throw new Error(`"${marker}" is not in ${log}`);
  const screen = bytes.subarray(start, end).toString('base64');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium' });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 }, deviceScaleFactor: 2 });
    await page.setContent(`<!doctype html><html><head><style>${readFileSync(path.join(tools, '@xterm/xterm/css/xterm.css'), 'utf8')}
      body { margin: 0; background: #1e1e1e; } #t { padding: 12px; display: inline-block; }</style></head>
      <body><div id="t"></div></body></html>`);
    await page.addScriptTag({ content: readFileSync(path.join(tools, '@xterm/xterm/lib/xterm.js'), 'utf8') });
    await page.evaluate(
      ({ screen }) =>
        new Promise((done) => {
          const term = new window.Terminal({ cols: 118, rows: 30, fontSize: 13, fontFamily: 'DejaVu Sans Mono, monospace', theme: { background: '#1e1e1e' } });
          term.open(document.getElementById('t'));
          const data = Uint8Array.from(atob(screen), (c) => c.charCodeAt(0));
          term.write(data, done);
        }),
      { screen },
    );
    await page.locator('#t').screenshot({ path: out });
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
