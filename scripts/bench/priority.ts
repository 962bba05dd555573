// --nice: the servers and the load generator at a scheduling priority.
import fs from 'node:fs';
import os from 'node:os';

import { options } from './options';

/** A Node.js command, started through nice(1) when --nice is given (so every thread inherits the priority). */
export function nodeCommand(args: string[]): [string, string[]] {
  return options.nice === null
    ? [process.execPath, args]
    : ['nice', ['-n', String(options.nice), process.execPath, ...args]];
}

/**
 * With the kernel's autogroups (sched_autogroup_enabled), nice only ranks
 * processes of one session against each other: each session gets its fair
 * share whatever its nice. A process started in its own session (detached)
 * is therefore also given that nice as its session's (autogroup) priority.
 */
export function prioritiseSession(pid: number | undefined): void {
  if (options.nice === null || !pid) return;
  try {
    fs.writeFileSync(`/proc/${pid}/autogroup`, String(options.nice));
  } catch {
    // no autogroups here, or not allowed: nice alone applies
  }
}

/** This process at --nice (when it is the system under test); returns how to undo it. */
export function prioritiseThisProcess(): () => void {
  const before = os.getPriority();
  if (options.nice !== null) {
    try {
      os.setPriority(options.nice);
      fs.writeFileSync('/proc/self/autogroup', String(options.nice));
    } catch {
      // not allowed, or no autogroups: as it is
    }
  }
  return () => {
    try {
      os.setPriority(before);
    } catch {
      // as it is
    }
  };
}
