// tests/browser/hostile.mjs DIR DAY - writes the hostile intake shapes of
// issue 13 to DIR, for report day DAY (YYYY-MM-DD):
//   mx9000.json   9,000 distinct MX names in one report (refused: over 2,000)
//   dom4096.json  4,096 policy domains of 2,000 bytes (refused: not host names)
//   mxmax.json    2,000 distinct MX names of 253 bytes (the most accepted)
//   dommax.json   1,000 policy domains of 253 bytes (the most accepted)
//   inflate.json  20 domains x 1,000 MX names: 6 MB of JSON, 0.1 MB gzip'd
// Run by tests/integration/web_intake.sh.
import fs from 'node:fs';

const [dir, day] = process.argv.slice(2);
const range = { 'start-datetime': `${day}T00:00:00Z`, 'end-datetime': `${day}T23:59:59Z` };
// a 253-byte name: four labels of 60 and the rest, unique by its prefix
const long = (p, i) => `${p}${i}.${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.`
  .concat('d'.repeat(60)).slice(0, 245).concat('.example').slice(0, 253);
const report = (id, policies) => JSON.stringify({
  'organization-name': `hostile ${id}`, 'date-range': range, 'contact-info': 'x@example.net',
  'report-id': id, policies,
});
const details = (n, name) => Array.from({ length: n }, (_, i) => ({
  'result-type': 'certificate-expired', 'sending-mta-ip': `198.51.100.${i % 250}`,
  'receiving-mx-hostname': name(i), 'failed-session-count': 1,
}));
const mxPolicy = (n, name) => [{
  policy: { 'policy-type': 'sts', 'policy-domain': 'example.com' },
  summary: { 'total-successful-session-count': 1, 'total-failure-session-count': n },
  'failure-details': details(n, name),
}];
const domPolicies = (n, name) => Array.from({ length: n }, (_, i) => ({
  policy: { 'policy-type': 'sts', 'policy-domain': name(i) },
  summary: { 'total-successful-session-count': 1, 'total-failure-session-count': 1 },
  'failure-details': [{ 'result-type': 'sts-policy-invalid', 'receiving-mx-hostname': long('q', i),
    'failed-session-count': 1 }],
}));
fs.writeFileSync(`${dir}/mx9000.json`, report('mx9000', mxPolicy(9000, (i) => `mx${i}.example.net`)));
fs.writeFileSync(`${dir}/dom4096.json`,
  report('dom4096', domPolicies(4096, (i) => `d${i}`.concat('y'.repeat(1995)))));
fs.writeFileSync(`${dir}/mxmax.json`, report('mxmax', mxPolicy(2000, (i) => long('m', i))));
fs.writeFileSync(`${dir}/dommax.json`, report('dommax', domPolicies(1000, (i) => long('p', i))));
fs.writeFileSync(`${dir}/inflate.json`, report('inflate', Array.from({ length: 20 }, (_, d) => ({
  policy: { 'policy-type': 'sts', 'policy-domain': long('i', d) },
  summary: { 'total-successful-session-count': 1, 'total-failure-session-count': 1000 },
  'failure-details': details(1000, (i) => long('m', i)),
}))));
