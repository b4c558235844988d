/** @bpfplay/nodes (Node): many agents — where they are, how they are, and runs on all of them. */
export * from './endpoint';
export * from './agents-file';
export * from './discovery';
export * from './info';
export * from './registry';
export * from './fanout';
export * from './config';
export * from './placement';
