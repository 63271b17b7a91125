/**
 * Model control as the Open Inference Protocol's repository extension exposes it (Triton's
 * RepositoryIndex / RepositoryModelLoad / RepositoryModelUnload): list what the repository
 * holds and load or unload a model by name while serving.
 *
 * Contract: protocol adapters (gRPC, HTTP, CLI) call this interface and never the repository
 * itself. `index` is synchronous and cheap. `load` resolves once the model's versions allowed by
 * its version policy are ready (or rejects with a ServingError saying why, leaving what was
 * serving untouched); `unload` resolves once new requests for the model are refused and the
 * requests already accepted have finished. When the server runs without a repository in
 * explicit mode, `load`/`unload` reject with FAILED_PRECONDITION naming the mode.
 */

/** Triton's model states, as its repository index reports them. */
export type ModelState = 'UNKNOWN' | 'READY' | 'UNAVAILABLE' | 'LOADING' | 'UNLOADING';

export interface RepositoryEntry {
  readonly name: string;
  /** Empty when the entry describes the model as a whole (e.g. a model that failed to load). */
  readonly version: string;
  readonly state: ModelState;
  /** Why the model is in this state (e.g. the load error); empty when there is nothing to say. */
  readonly reason: string;
}

export interface ModelControl {
  /** Every model (and version) the repository knows; `readyOnly` keeps only READY ones. */
  index(options?: { readonly readyOnly?: boolean }): RepositoryEntry[];
  load(name: string): Promise<void>;
  unload(name: string): Promise<void>;
}
