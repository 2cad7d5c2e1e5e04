import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { MIB } from '../units';

/** What one run of an external program cost, as seen from outside. */
export interface SampledRun {
  /** Wall time from spawn to exit, in milliseconds. */
  ms: number;
  /** CPU time (user + system) at the last sample, in seconds. */
  cpuSeconds: number;
  /** The highest VmHWM (the kernel's peak RSS) seen, in MiB. */
  peakRssMiB: number;
}

const SAMPLE_MS = 10;
/** Linux's clock ticks per second for /proc/PID/stat (USER_HZ, 100 on every Linux we run on). */
const TICKS_PER_SECOND = 100;

/** utime + stime of a process, in seconds, and its VmHWM in bytes; undefined once it is gone. */
async function sample(pid: number): Promise<{ cpu: number; hwm: number } | undefined> {
  try {
    const [stat, status] = await Promise.all([
      readFile(`/proc/${pid}/stat`, 'utf8'),
      readFile(`/proc/${pid}/status`, 'utf8'),
    ]);
    // Fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    const hwm = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
    return { cpu, hwm };
  } catch {
    return undefined;
  }
}

/** Hides anything that looks like a URL: a presigned URL must never reach a log. */
function withoutUrls(text: string): string {
  return text.replace(/https?:\/\/\S+/g, '<url>').slice(0, 500);
}

/**
 * Runs a program to its end, with `input` on its stdin (a curl config holding the presigned
 * URLs, so that they appear neither in `ps` nor in an error message), sampling its CPU time and
 * peak RSS from /proc every 10 ms: the figures of a run shorter than a few samples are rough.
 * Rejects on a non-zero exit, with its stderr (URLs hidden).
 *
 * @param command - the program
 * @param args - its arguments (no secrets: `ps` shows them)
 * @param input - what to write on its stdin
 * @param timeoutMs - when to kill it
 */
export function runSampled(
  command: string,
  args: string[],
  input: string,
  timeoutMs: number,
): Promise<SampledRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['pipe', 'ignore', 'pipe'], timeout: timeoutMs });
    let stderr = '';
    let last = { cpu: 0, hwm: 0 };
    let peak = 0;
    const poll = async () => {
      if (child.pid === undefined) return;
      const now = await sample(child.pid);
      if (now) {
        last = now;
        peak = Math.max(peak, now.hwm);
      }
    };
    const timer = setInterval(() => void poll(), SAMPLE_MS);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => {
      clearInterval(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      const ms = performance.now() - started;
      clearInterval(timer);
      if (code !== 0) {
        reject(
          new Error(`${command} exited with ${code ?? signal ?? '?'}: ${withoutUrls(stderr)}`),
        );
        return;
      }
      resolve({ ms, cpuSeconds: last.cpu, peakRssMiB: peak / MIB });
    });
    child.stdin.end(input);
  });
}
