// tests/browser/connlimit.mjs PORT OPEN LIMIT - opens OPEN connections to
// 127.0.0.1:PORT at once and waits until the server has closed all but
// LIMIT of them (it refuses connections past its per-address limit), then
// sends a request on each one left and counts the 200 answers; finally one
// new connection must be served again. Prints "closed=N served=N again=200".
// Run by tests/integration/web_http.sh (node is there for the browser tests).
import net from 'node:net';

const [port, open, limit] = process.argv.slice(2).map(Number);
const socks = [];
let closedEarly = 0;

function request(s) {
  return new Promise((resolve) => {
    let data = '';
    s.on('data', (d) => { data += d; });
    s.on('close', () => resolve(data.split('\r\n')[0]));
    s.on('error', () => {});
    s.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
  });
}

// a fail-safe, not a measurement: a hung server must not hang the test
setTimeout(() => { console.log(`closed=${closedEarly} served=hung`); process.exit(1); }, 30000).unref();

await new Promise((resolve) => {
  let connected = 0;
  for (let i = 0; i < open; i++) {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { if (++connected === open) resolve(); });
    s.once('close', () => {
      if (!s.served) closedEarly++;
      if (closedEarly === open - limit) check();
    });
    s.on('error', () => {});
    socks.push(s);
  }
});
let checked = false;
async function check() {
  if (checked) return;
  checked = true;
  const left = socks.filter((s) => !s.destroyed && !s.readableEnded);
  left.forEach((s) => { s.served = true; });
  const answers = await Promise.all(left.map(request));
  const served = answers.filter((a) => a.startsWith('HTTP/1.1 200')).length;
  const again = await request(net.connect(port, '127.0.0.1'));
  console.log(`closed=${closedEarly} served=${served} again=${again.split(' ')[1]}`);
  process.exit(0);
}
if (closedEarly >= open - limit) check();
