// The browser PoW benchmark (docs/BENCHMARKS.md "Browser"): nnrp-client's generator searches an
// unreachable threshold for a fixed time with 1 … N Web Workers, and the hashes it reports per
// second (between its first and last progress report) are the rate. Results go to #results and,
// as JSON, to <body data-result>.
import { generateWork, WorkCancelledError } from 'nnrp-client';

interface Row { workers: number; hashes: number; seconds: number; mhs: number }

const params = new URLSearchParams(location.search);
const seconds = Number(params.get('seconds') ?? '3');
const counts = (params.get('workers') ?? [...Array(navigator.hardwareConcurrency || 1).keys()].map((i) => i + 1).join(','))
  .split(',').map(Number).filter((n) => n > 0);
// No nonce meets this threshold: the generator runs until the deadline aborts it.
const UNREACHABLE = 0xffffffffffffffffn;

// Rate between the first and the last progress report, so worker start-up and the partial
// batch at the deadline are not counted.
async function measure(workers: number): Promise<Row> {
  let first: [bigint, number] | undefined;
  let last: [bigint, number] | undefined;
  const root = crypto.getRandomValues(new Uint8Array(32));
  try {
    await generateWork(root, UNREACHABLE, {
      workers,
      signal: AbortSignal.timeout(seconds * 1000),
      onProgress: (h) => {
        const at: [bigint, number] = [h, performance.now()];
        first ??= at;
        last = at;
      },
    });
  } catch (e) {
    if (!(e instanceof WorkCancelledError)) throw e; // the deadline is expected; anything else is not
  }
  if (!first || !last || last[1] <= first[1]) throw new Error(`${workers} worker(s) reported too little progress to measure`);
  const hashes = Number(last[0] - first[0]);
  const elapsed = (last[1] - first[1]) / 1000;
  return { workers, hashes, seconds: elapsed, mhs: hashes / elapsed / 1e6 };
}

async function run(): Promise<void> {
  document.body.dataset.state = 'running';
  const rows: Row[] = [];
  const table = document.getElementById('results')!;
  for (const workers of counts) {
    document.getElementById('bench-status')!.textContent = `${workers} worker(s) …`;
    const row = await measure(workers);
    rows.push(row);
    const tr = (table as HTMLTableSectionElement).insertRow();
    for (const text of [String(workers), row.mhs.toFixed(2), (row.mhs / workers).toFixed(2), String(row.hashes), row.seconds.toFixed(2)]) {
      tr.insertCell().textContent = text;
    }
  }
  document.getElementById('bench-status')!.textContent = `done (${navigator.hardwareConcurrency} logical cores reported)`;
  document.body.dataset.result = JSON.stringify({ cores: navigator.hardwareConcurrency, rows });
  document.body.dataset.state = 'done';
}

run().catch((e: unknown) => {
  document.getElementById('bench-status')!.textContent = `failed: ${e instanceof Error ? e.message : String(e)}`;
  document.body.dataset.state = 'failed';
});
