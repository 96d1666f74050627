// Runs dagre off the main thread: laying out hundreds of nodes takes long enough to freeze
// scrolling and typing if done in the page.
import { layoutGraph, type TLayoutInput } from "./layout";

type TRequest = { id: number; input: TLayoutInput };

self.onmessage = (event: MessageEvent<TRequest>) => {
  const { id, input } = event.data;
  try {
    (self as unknown as Worker).postMessage({ id, result: layoutGraph(input) });
  } catch (e) {
    (self as unknown as Worker).postMessage({ id, error: e instanceof Error ? e.message : String(e) });
  }
};
