// The wallet page (issue 14 item 6): one node's https URL → discovery of more nodes → a
// notification key from a random seed → a payment notification sealed, worked and published to
// three nodes over libp2p WebSocket and over HTTPS, each receipt checked → a mailbox fetched
// from every node and opened with a key restored from its seed. Plain DOM; every element the
// browser test reads has a stable id, and the page's progress is on <body data-*> attributes:
//   data-discovering running|done|failed   data-discovered <nodes>
//   data-key none|ready                    data-sent running|done|failed
//   data-fetching running|done|failed      data-first-notification-ms <ms since navigation>
import { fromHex, toHex, type FetchedEvent } from 'nnrp-client';
import { discoverNodes, minimumWorkOf, type PageNode } from './nodes.js';
import { fetchMailbox } from './mailbox.js';
import { keyFromSeed, type WalletKey } from './keys.js';
import { sendOverBothDoors, type PublishRow } from './send.js';

const PUBLISH_NODES = 3;

const el = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
};
const input = (id: string): HTMLInputElement => el<HTMLInputElement>(id);
const body = document.body.dataset;

let nodes: PageNode[] = [];
let key: WalletKey | undefined;

function setStatus(id: string, text: string, error = false): void {
  const status = el(id);
  status.textContent = text;
  status.classList.toggle('error', error);
}

function cell(row: HTMLTableRowElement, text: string, className?: string): HTMLTableCellElement {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function short(text: string, keep = 10): string {
  return text.length > keep * 2 + 1 ? `${text.slice(0, keep)}…${text.slice(-keep)}` : text;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// ---- 1. Nodes ------------------------------------------------------------------------------

function renderNodes(): void {
  const table = el<HTMLTableSectionElement>('nodes');
  table.replaceChildren();
  for (const node of nodes) {
    const row = table.insertRow();
    row.dataset.peer = node.peerId;
    row.dataset.https = node.https ?? '';
    row.dataset.wss = node.wss ?? '';
    cell(row, short(node.peerId, 8)).title = node.peerId;
    cell(row, node.https ?? '—');
    cell(row, node.wss ? node.wss.replace(/\/p2p\/[^/]+$/, '') : '—').title = node.wss ?? '';
    cell(row, node.status.currentThreshold.toString(16).padStart(16, '0'));
  }
  body.discovered = String(nodes.length);
}

async function discover(url: string): Promise<void> {
  body.discovering = 'running';
  setStatus('discover-status', `Asking ${url} …`);
  try {
    nodes = await discoverNodes(url);
    renderNodes();
    const ws = nodes.filter((n) => n.wss).length;
    setStatus('discover-status', `${nodes.length} node(s) found from one URL; ${ws} with a secure WebSocket door.`, nodes.length === 0);
    body.discovering = 'done';
  } catch (e) {
    setStatus('discover-status', `Discovery failed: ${errorText(e)}`, true);
    body.discovering = 'failed';
  }
}

// ---- 2. Key --------------------------------------------------------------------------------

function useKey(seed: Uint8Array): void {
  key = keyFromSeed(seed);
  input('seed').value = toHex(seed);
  el('uri').textContent = key.uri;
  el('tag').textContent = toHex(key.keyPair.tag);
  if (!input('recipient').value) input('recipient').value = key.uri;
  setStatus('key-status', 'Key ready. Write the seed down: it restores this mailbox anywhere.');
  body.key = 'ready';
}

// ---- 3. Send -------------------------------------------------------------------------------

function renderReceipt(row: PublishRow): void {
  const tr = el<HTMLTableSectionElement>('receipts').insertRow();
  tr.dataset.peer = row.peerId;
  tr.dataset.transport = row.transport;
  tr.dataset.reason = row.reason;
  tr.dataset.verified = String(row.verified);
  cell(tr, short(row.peerId, 8)).title = row.peerId;
  cell(tr, row.transport === 'wss' ? 'libp2p WebSocket (/tls/ws)' : 'HTTPS');
  cell(tr, row.reason + (row.message ? `: ${row.message}` : ''), row.verified ? 'ok' : 'error');
  cell(tr, row.verified ? `signed, expires ${new Date(Number(row.expiresAt) * 1000).toISOString().slice(0, 10)}` : 'none', row.verified ? 'ok' : 'error');
}

async function send(): Promise<void> {
  body.sent = 'running';
  el('receipts').replaceChildren();
  try {
    if (nodes.length === 0) throw new Error('discover nodes first');
    const recipient = input('recipient').value.trim();
    const amount = input('amount').value.trim();
    const memo = input('memo').value;
    const targets = nodes.slice(0, PUBLISH_NODES);
    setStatus('send-status', 'Sealing and making proof of work …');
    const rows = await sendOverBothDoors(recipient, {
      txHash: input('tx-hash').value.trim().toLowerCase(),
      ...(amount ? { amountRaw: amount } : {}),
      ...(memo ? { memo } : {}),
    }, targets, {
      onWork: () => setStatus('send-status', 'Sealed, worked and sent; copies over HTTPS …'),
      onRow: renderReceipt,
    });
    const stored = (transport: string): number => new Set(rows.filter((r) => r.verified && r.transport === transport).map((r) => r.peerId)).size;
    const wanted = Math.min(PUBLISH_NODES, targets.length);
    const good = stored('wss') >= wanted && stored('https') >= wanted;
    setStatus('send-status', `Signed receipts from ${stored('wss')} node(s) over WebSocket and ${stored('https')} over HTTPS.`, !good);
    body.sent = good ? 'done' : 'failed';
  } catch (e) {
    setStatus('send-status', `Not sent: ${errorText(e)}`, true);
    body.sent = 'failed';
  }
}

// ---- 4. Mailbox ----------------------------------------------------------------------------

function renderMailbox(items: FetchedEvent[]): void {
  const table = el<HTMLTableSectionElement>('inbox');
  table.replaceChildren();
  for (const item of items) {
    const tr = table.insertRow();
    tr.dataset.tx = item.event.txHash;
    tr.dataset.amount = item.event.amountRaw ?? '';
    tr.dataset.memo = item.event.memo ?? '';
    tr.dataset.r = item.event.R;
    cell(tr, new Date(item.timestamp * 1000).toISOString().replace('T', ' ').slice(0, 19));
    cell(tr, short(item.event.txHash)).title = item.event.txHash;
    cell(tr, item.event.amountRaw ?? '');
    cell(tr, item.event.memo ?? '');
    cell(tr, short(item.event.R)).title = item.event.R;
  }
  if (items.length > 0 && body.firstNotificationMs === undefined) {
    body.firstNotificationMs = performance.now().toFixed(0);
  }
}

async function fetchAndOpen(): Promise<void> {
  body.fetching = 'running';
  const sources = el('sources');
  sources.replaceChildren();
  try {
    if (!key) throw new Error('create or restore a key first');
    if (nodes.length === 0) throw new Error('discover nodes first');
    setStatus('fetch-status', `Fetching from ${nodes.length} node(s) …`);
    const result = await fetchMailbox(key, nodes, minimumWorkOf(location.search));
    for (const source of result.sources) {
      const li = document.createElement('li');
      li.dataset.peer = source.peerId;
      li.dataset.transport = source.transport;
      li.dataset.outcome = source.error ? 'error' : 'ok';
      li.textContent = `${short(source.peerId, 8)} over ${source.transport === 'wss' ? 'WebSocket' : 'HTTPS'}: ` +
        (source.error ? `failed (${source.error})` : `${source.count} notification(s)`);
      li.className = source.error ? 'error' : 'ok';
      sources.append(li);
    }
    renderMailbox(result.events);
    const answered = result.sources.filter((s) => !s.error).length;
    setStatus('fetch-status', `${result.events.length} notification(s) opened; ${answered} of ${result.sources.length} node(s) answered` +
      (result.rejected ? `; ${result.rejected} refused (bad form, too little work, or not for this key)` : '') + '.', answered === 0);
    body.fetching = answered > 0 ? 'done' : 'failed';
  } catch (e) {
    setStatus('fetch-status', `Fetch failed: ${errorText(e)}`, true);
    body.fetching = 'failed';
  }
}

// ---- wiring --------------------------------------------------------------------------------

el('discover-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void discover(input('node-url').value.trim());
});
el('new-key').addEventListener('click', () => useKey(crypto.getRandomValues(new Uint8Array(32))));
el('restore-form').addEventListener('submit', (e) => {
  e.preventDefault();
  try {
    const hex = input('seed').value.trim();
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error('a seed is 64 hex digits (32 bytes)');
    useKey(fromHex(hex, 32, 'seed'));
  } catch (err) {
    setStatus('key-status', errorText(err), true);
  }
});
el('send-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void send();
});
el('fetch').addEventListener('click', () => void fetchAndOpen());

body.discovered = '0';
body.key = 'none';
input('tx-hash').value = toHex(crypto.getRandomValues(new Uint8Array(32)));
const given = new URLSearchParams(location.search).get('node');
if (given) {
  input('node-url').value = given;
  void discover(given);
}
