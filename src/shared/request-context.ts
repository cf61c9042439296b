// The request id travels with the async call chain so that every log line carries it,
// including lines written deep inside services that never see the request.
import { AsyncLocalStorage } from "node:async_hooks";

interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export const runWithRequestContext = <T>(ctx: RequestContext, fn: () => T): T => storage.run(ctx, fn);
export const currentRequestId = (): string | undefined => storage.getStore()?.requestId;
