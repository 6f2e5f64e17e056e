// Real `nnrp node` processes for the network tests (no mocks): each on port 0 for libp2p and
// HTTP, its bound addresses read back from its log, a low base threshold so work is cheap, and
// killed when the test ends. The C# CLI must be built first (`dotnet build src/Nnrp.Cli`); a
// missing build fails the test with that instruction, it never skips.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from dist/test/net/ of the package. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../..');

/** The CLI assembly the tests drive (env NNRP_DLL overrides). */
export const NNRP_DLL = process.env.NNRP_DLL ?? join(REPO_ROOT, 'src/Nnrp.Cli/bin/Debug/net10.0/nnrp.dll');

/** Test nodes' base threshold: about 16 hashes per notification. */
export const TEST_BASE_THRESHOLD = 0xf000000000000000n;
export const TEST_BASE_HEX = 'f000000000000000';

const START_TIMEOUT_MS = 60_000;

export function requireCli(): void {
  if (!existsSync(NNRP_DLL)) {
    throw new Error(`${NNRP_DLL} is missing: run \`dotnet build src/Nnrp.Cli\` in the repository first`);
  }
}

export interface NodeOptions {
  /** 16 hex digits (default TEST_BASE_HEX). */
  baseThreshold?: string;
  bootstrap?: string[];
  extraArgs?: string[];
}

export class NnrpNodeProcess {
  /** `/ip4/127.0.0.1/tcp/N/p2p/12D3KooW…` */
  multiaddr = '';
  peerId = '';
  /** `http://127.0.0.1:N` */
  httpUrl = '';
  private log = '';

  private constructor(private readonly child: ChildProcess, readonly dataDir: string) {}

  static async start(options: NodeOptions = {}): Promise<NnrpNodeProcess> {
    requireCli();
    const dataDir = mkdtempSync(join(tmpdir(), 'nnrp-sdk-node-'));
    const args = [
      NNRP_DLL, 'node', '--data-dir', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0', '--http', 'http://127.0.0.1:0',
      '--metrics', 'off', '--private-network', '--base-threshold', options.baseThreshold ?? TEST_BASE_HEX, '--bootstrap-file', '/dev/null',
      ...(options.bootstrap ?? []).flatMap((b) => ['--bootstrap', b]),
      ...(options.extraArgs ?? []),
    ];
    const child = spawn('dotnet', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const node = new NnrpNodeProcess(child, dataDir);
    await node.waitForStart();
    return node;
  }

  private waitForStart(): Promise<void> {
    return new Promise((resolveStart, rejectStart) => {
      const timer = setTimeout(() => fail(new Error(`nnrp node did not start within ${START_TIMEOUT_MS} ms:\n${this.log}`)), START_TIMEOUT_MS);
      const fail = (e: Error): void => {
        clearTimeout(timer);
        this.child.kill('SIGKILL');
        rejectStart(e);
      };
      const onData = (data: Buffer): void => {
        this.log += data.toString();
        if (this.log.length > 1_000_000) this.log = this.log.slice(-500_000);
        const reachable = /Reachable at (\/\S+\/p2p\/(\S+))/.exec(this.log);
        const http = /HTTP API on (http:\/\/\S+)/.exec(this.log);
        if (reachable && http && !this.httpUrl) {
          this.multiaddr = reachable[1]!;
          this.peerId = reachable[2]!;
          this.httpUrl = http[1]!;
          clearTimeout(timer);
          resolveStart();
        }
      };
      this.child.stdout!.on('data', onData);
      this.child.stderr!.on('data', onData);
      this.child.once('exit', (code) => fail(new Error(`nnrp node exited with ${code}:\n${this.log}`)));
    });
  }

  /** Starts `count` nodes at once; when one fails, those started are stopped and the error thrown. */
  static async startMany(count: number, options: NodeOptions = {}): Promise<NnrpNodeProcess[]> {
    const started = await Promise.allSettled(Array.from({ length: count }, () => NnrpNodeProcess.start(options)));
    const nodes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await Promise.all(nodes.map((n) => n.stop()));
      throw failed.reason;
    }
    return nodes;
  }

  get output(): string {
    return this.log;
  }

  /** Stops the process (SIGTERM, then SIGKILL after 10 s) and removes its data. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Runs the nnrp CLI to completion (send, fetch, key …); rejects with its output when it fails. */
export function runCli(args: string[], timeoutMs = 120_000): Promise<{ stdout: string; stderr: string }> {
  requireCli();
  return new Promise((resolveRun, rejectRun) => {
    const child = spawn('dotnet', [NNRP_DLL, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolveRun({ stdout, stderr });
      else rejectRun(new Error(`nnrp ${args.join(' ')} exited with ${code ?? signal}:\n${stdout}\n${stderr}`));
    });
  });
}
