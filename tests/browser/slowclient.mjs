// tests/browser/slowclient.mjs PORT COUNT MODE [LOCAL_ADDRESS] - a slowloris
// client: opens COUNT connections to 127.0.0.1:PORT from LOCAL_ADDRESS
// (default 127.0.0.1) and trickles one byte every 500 ms, never finishing:
// MODE "headers" sends a request line and then endless header bytes, MODE
// "body" whole headers of a POST announcing 100000 bytes and then the body
// byte by byte. Prints, once every connection is closed (or after 40 s, a
// fail-safe), "closed=N of COUNT, refused=R, longest=S" where refused are
// those closed within 1 s of opening (past the per-address limit) and S the
// whole seconds the longest-lived one was held open. Run by
// tests/integration/web_intake.sh.
import net from 'node:net';

const [port, count] = process.argv.slice(2, 4).map(Number);
const mode = process.argv[4];
const local = process.argv[5] || '127.0.0.1';
let closed = 0, refused = 0, longest = 0;
const timers = [];

function done() {
  console.log(`closed=${closed} of ${count}, refused=${refused}, longest=${longest}`);
  timers.forEach(clearInterval);
  process.exit(0);
}
setTimeout(done, 40000).unref();

for (let i = 0; i < count; i++) {
  const opened = Date.now();
  const s = net.connect({ port, host: '127.0.0.1', localAddress: local });
  s.on('error', () => {});
  s.on('data', () => {});
  s.on('close', () => {
    const held = (Date.now() - opened) / 1000;
    if (held < 1) refused++;
    longest = Math.max(longest, Math.floor(held));
    if (++closed === count) done();
  });
  s.once('connect', () => {
    if (mode === 'body')
      s.write('POST /tlsrpt HTTP/1.1\r\nHost: localhost\r\n' +
              'Content-Type: application/tlsrpt+json\r\nContent-Length: 100000\r\n\r\n{');
    else
      s.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
    timers.push(setInterval(() => { if (!s.destroyed) s.write('a'); }, 500));
  });
}
