// Work that must happen however the process ends: on a normal exit, and on
// SIGINT (Ctrl-C), SIGTERM and SIGHUP, after which the signal is raised again
// so that the process ends the way it would have (status 128 + signal).
// Tasks are synchronous: exit handlers cannot wait.

const tasks = new Set<() => void>();
let installed = false;

function runAll(): void {
  for (const task of [...tasks]) {
    tasks.delete(task);
    task();
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on("exit", runAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      runAll();
      process.kill(process.pid, signal);
    });
  }
}

/** Runs task once when the process exits or is interrupted, unless the returned cancel is called first. */
export function atExit(task: () => void): () => void {
  install();
  tasks.add(task);
  return () => {
    tasks.delete(task);
  };
}
