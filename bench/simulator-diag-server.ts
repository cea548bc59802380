// For simulator-diag.ts only: wraps node:http's createServer (before the simulator is imported) to log
// accepts and per-request server time, and net.Socket#connect to log when clients start connecting.
import http from "node:http";
import { syncBuiltinESMExports } from "node:module";
const origCreate = http.createServer;
export const serverLog: Array<{ server: number; url: string; arrive: number; finish: number; sock: number }> = [];
export const connLog: Array<{ server: number; at: number }> = [];
let servers = 0;
let socks = 0;
(http as { createServer: unknown }).createServer = (...args: unknown[]) => {
  const s = (origCreate as (...a: unknown[]) => http.Server)(...args);
  const n = servers++;
  s.on("connection", (sock) => {
    connLog.push({ server: n, at: performance.now() });
    (sock as unknown as { _n: number })._n = socks++;
  });
  s.prependListener("request", (req, res) => {
    const arrive = performance.now();
    res.on("finish", () => serverLog.push({ server: n, url: req.url ?? "", arrive, finish: performance.now(), sock: (req.socket as unknown as { _n: number })._n }));
  });
  return s;
};
syncBuiltinESMExports();
import net from "node:net";
export const connectLog: Array<{ at: number; port: number }> = [];
const origConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
  const a0 = args[0] as unknown; const o = (Array.isArray(a0) ? a0[0] : a0) as { port?: number } | undefined;
  connectLog.push({ at: performance.now(), port: Number(o?.port ?? 0) });
  return (origConnect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;
