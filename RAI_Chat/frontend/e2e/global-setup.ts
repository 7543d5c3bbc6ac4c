/**
 * Starts the whole system for the browser tests, unless RAI_E2E_BASE_URL is already set:
 * `<repo>/.venv/bin/python -m RAI_Chat.tests.e2e_server` (engine + API on free ports with a
 * throwaway SQLite database), which prints `READY http://127.0.0.1:<port>` when it serves.
 * RAI_E2E_SERVER_CMD overrides the command. The server's output goes to
 * test-results/e2e-server.log. Returns the teardown that stops it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const frontendDir = path.resolve(here, '..');
const repoRoot = path.resolve(frontendDir, '..', '..');
const READY_TIMEOUT_MS = Number(process.env.RAI_E2E_READY_TIMEOUT_MS ?? 600_000);

/** RAI_E2E_SERVER_CMD runs in the frontend folder; the default runs at the repository root. */
function serverCommand(): { cmd: string; args: string[]; cwd: string } {
  const custom = process.env.RAI_E2E_SERVER_CMD;
  if (custom) return { cmd: 'bash', args: ['-c', `exec ${custom}`], cwd: frontendDir };
  const python = path.join(repoRoot, '.venv', 'bin', 'python');
  return { cmd: existsSync(python) ? python : 'python3', args: ['-m', 'RAI_Chat.tests.e2e_server'], cwd: repoRoot };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.pid === undefined) return resolve();
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
      resolve();
    }, 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      // The server runs in its own process group: stop it and the engine it started.
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      resolve();
    }
  });
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(path.join(frontendDir, 'dist', 'index.html'))) {
    throw new Error('The page is not built: run `npm run build` first (`npm run e2e` does).');
  }
  if (process.env.RAI_E2E_BASE_URL) return async () => undefined;

  mkdirSync(path.join(frontendDir, 'test-results'), { recursive: true });
  const log = createWriteStream(path.join(frontendDir, 'test-results', 'e2e-server.log'));
  const { cmd, args, cwd } = serverCommand();
  const child = spawn(cmd, args, {
    cwd,
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stderr?.pipe(log);

  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`The e2e server printed no READY line in ${READY_TIMEOUT_MS / 1000}s (see test-results/e2e-server.log).`)), READY_TIMEOUT_MS);
    child.stdout?.on('data', (chunk: Buffer) => {
      log.write(chunk);
      buffer += chunk.toString('utf8');
      const match = /READY (https?:\/\/\S+)/.exec(buffer);
      if (match) {
        clearTimeout(timer);
        resolve(match[1].replace(/\/$/, ''));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The e2e server exited with code ${code} before it was ready (see test-results/e2e-server.log).`));
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  }).catch(async (err: unknown) => {
    await stop(child);
    throw err;
  });

  process.env.RAI_E2E_BASE_URL = url;
  return async () => {
    await stop(child);
    log.end();
  };
}
