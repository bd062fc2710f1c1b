import type { AioEngineKind } from './engine.js';
import { IO_URING_AIO } from './io-uring.js';
import { NATIVE_AIO } from './native.js';
import { THREADS_AIO } from './threads.js';

const ENGINES = new Map<string, AioEngineKind>();

/** Adds an engine under its aio= name: the scenario format accepts the name from then on. */
export function registerAioEngine(name: string, kind: AioEngineKind): void {
  if (ENGINES.has(name)) throw new Error(`aio engine ${name} is registered twice`);
  ENGINES.set(name, kind);
}

export function isAioEngine(name: string): boolean {
  return ENGINES.has(name);
}

/** The engine of that name; the scenario has refused any other. */
export function aioEngine(name: string): AioEngineKind {
  const kind = ENGINES.get(name);
  if (!kind) throw new Error(`no aio engine ${name} (known: ${aioEngineNames().join(', ')})`);
  return kind;
}

export function aioEngineNames(): string[] {
  return [...ENGINES.keys()];
}

registerAioEngine('native', NATIVE_AIO);
registerAioEngine('io_uring', IO_URING_AIO);
registerAioEngine('threads', THREADS_AIO);
