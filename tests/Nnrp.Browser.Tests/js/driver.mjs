// Drives headless Debian Chromium through playwright-core for the C# browser tests.
// One JSON command per stdin line, one JSON answer per stdout line ({id, ok, value|error});
// the page's console and errors go to stderr, which the test prints when it fails.
//
//   {"id":1,"cmd":"launch"}
//   {"id":2,"cmd":"open","context":"sender","url":"https://…"}   new context (own storage) + page
//   {"id":3,"cmd":"eval","context":"sender","expr":"…"}          value of an expression in the page
//   {"id":4,"cmd":"wait","context":"sender","expr":"…","timeoutMs":60000}  until it is truthy; its value
//   {"id":5,"cmd":"fill"|"click","context":"sender","selector":"#id","value":"…"}
//   {"id":6,"cmd":"screenshot","context":"sender","path":"…png"}
//   {"id":7,"cmd":"close"}
//
// playwright-core is a devDependency of src/nnrp-client (NNRP_CLIENT_DIR); it never downloads
// a browser here: executablePath names the system's chromium.
import { createRequire } from 'node:module';
import path from 'node:path';
import readline from 'node:readline';

const clientDir = process.env.NNRP_CLIENT_DIR;
if (!clientDir) {
  throw new Error('NNRP_CLIENT_DIR must name src/nnrp-client (its node_modules hold playwright-core)');
}
const { chromium } = createRequire(path.join(clientDir, 'package.json'))('playwright-core');

// Flags of a quiet, reproducible headless Chromium: no sandbox (CI runs as root), no GPU, no
// background fetches, no QUIC (every connection is the node's TLS over TCP).
const chromiumArgs = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage',
];

let browser;
const contexts = new Map();

async function launch(cmd) {
  // launch() gives the browser a fresh temporary --user-data-dir of its own and removes it on close.
  browser = await chromium.launch({
    executablePath: cmd.executablePath ?? '/usr/bin/chromium',
    headless: true,
    args: chromiumArgs,
  });
  return browser.version();
}

async function open(cmd) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const label = cmd.context;
  page.on('console', (m) => process.stderr.write(`[${label} console.${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => process.stderr.write(`[${label} pageerror] ${e.stack ?? e}\n`));
  page.on('requestfailed', (r) => process.stderr.write(`[${label} requestfailed] ${r.url()} ${r.failure()?.errorText}\n`));
  contexts.get(label)?.context.close();
  contexts.set(label, { context, page });
  const started = Date.now();
  await page.goto(cmd.url, { waitUntil: 'load', timeout: cmd.timeoutMs ?? 60000 });
  return { loadedMs: Date.now() - started, at: started };
}

function page(cmd) {
  const entry = contexts.get(cmd.context);
  if (!entry) {
    throw new Error(`no open context "${cmd.context}"`);
  }
  return entry.page;
}

const commands = {
  launch,
  open,
  eval: (cmd) => page(cmd).evaluate(cmd.expr),
  wait: async (cmd) => {
    const handle = await page(cmd).waitForFunction(cmd.expr, undefined, { timeout: cmd.timeoutMs ?? 60000, polling: 100 });
    return handle.jsonValue();
  },
  fill: (cmd) => page(cmd).fill(cmd.selector, cmd.value ?? ''),
  click: (cmd) => page(cmd).click(cmd.selector),
  screenshot: async (cmd) => {
    await page(cmd).screenshot({ path: cmd.path, fullPage: true });
    return cmd.path;
  },
  now: () => Date.now(),
  close: async () => {
    await browser?.close();
    browser = undefined;
    return true;
  },
};

const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) {
    continue;
  }
  const cmd = JSON.parse(line);
  let answer;
  try {
    const run = commands[cmd.cmd];
    if (!run) {
      throw new Error(`unknown command ${cmd.cmd}`);
    }
    const value = await run(cmd);
    answer = { id: cmd.id, ok: true, value: value ?? null };
  } catch (e) {
    answer = { id: cmd.id, ok: false, error: String(e?.stack ?? e) };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
  if (cmd.cmd === 'close') {
    break;
  }
}
await browser?.close();
