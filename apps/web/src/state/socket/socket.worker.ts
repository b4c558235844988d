import { FrameReceiver, type RawSocket } from './frameReceiver';
import type { FromWorker, ToWorker } from './workerMessages';

// The WebSocket to the agent lives here, off the page's thread; see frameReceiver.ts. (Typed by
// hand: the webworker lib cannot be mixed with the DOM lib in one tsconfig.)
const scope = self as unknown as {
  onmessage: ((e: { data: ToWorker }) => void) | null;
  postMessage(m: FromWorker, transfer: ArrayBuffer[]): void;
};
const worker = new FrameReceiver(
  (url) => new WebSocket(url) as unknown as RawSocket,
  (m, transfer) => scope.postMessage(m, transfer),
);
scope.onmessage = (e) => worker.handle(e.data);
