// Minimal typings for the parts of dynalite 4 that the embedded DynamoDB layer uses.
declare module 'dynalite' {
  import type { Server } from 'node:http';

  type DynaliteOptions = {
    /** LevelDB directory; in memory when absent. */
    path?: string;
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    maxItemSizeKb?: number;
    verbose?: boolean;
    debug?: boolean;
  };

  function dynalite(options?: DynaliteOptions): Server;
  export = dynalite;
}
