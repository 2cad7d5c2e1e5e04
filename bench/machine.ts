import { cpus, release, totalmem } from 'node:os';
import { GIB } from './units';

/** The hardware and software a run measured on, for the report. */
export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
  kernel: string;
  /** The 1-minute load average when the run started: other work on the machine skews figures. */
  loadAverageAtStart: number;
  /** The 1-minute load average when the run ended (the bench itself adds about 2). */
  loadAverageAtEnd?: number;
}

/**
 * Describes this machine.
 *
 * @param loadAverage - the 1-minute load average to record
 */
export function machineInfo(loadAverage: number): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / GIB) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    kernel: release(),
    loadAverageAtStart: loadAverage,
  };
}
