// A port the OS just handed out and released, for servers a test or the bench starts itself.
// Kept apart from helpers.ts, which needs Vitest, so the bench can use it too.
import net from "node:net";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}
