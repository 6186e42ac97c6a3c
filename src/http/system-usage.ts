import { cpus, totalmem } from 'node:os';

/**
 * The `system` block of /healthz that the Python service sent (psutil): machine-wide CPU busy percentage since the
 * previous call (the first call measures since boot), and this process's resident memory as a percentage of the
 * machine's. One decimal, as psutil rounds.
 */
export interface SystemUsage {
  readonly cpu_percent: number;
  readonly memory_percent: number;
}

interface CpuTimes {
  readonly busy: number;
  readonly total: number;
}

function cpuTimes(): CpuTimes {
  let busy = 0;
  let total = 0;
  for (const cpu of cpus()) {
    const t = cpu.times;
    const all = t.user + t.nice + t.sys + t.idle + t.irq;
    total += all;
    busy += all - t.idle;
  }
  return { busy, total };
}

export function createSystemUsage(): () => SystemUsage {
  let previous = cpuTimes();
  return () => {
    const now = cpuTimes();
    const total = now.total - previous.total;
    const busy = now.busy - previous.busy;
    previous = now;
    const cpu = total > 0 ? (100 * busy) / total : 0;
    const memory = (100 * process.memoryUsage.rss()) / totalmem();
    return { cpu_percent: Math.round(cpu * 10) / 10, memory_percent: Math.round(memory * 10) / 10 };
  };
}
