// The S3-compatible server of the s3:// lakehouse tests: s3rver (npm, pinned in package.json)
// on loopback, plus what the tests need and s3rver 3.7.1 lacks, in front of it:
//  - SigV4 verification of every request's Authorization header against the one configured key
//    pair (s3rver checks only the access key id): a wrong secret is refused with 403
//    SignatureDoesNotMatch as S3 does, and cutover's signer is checked by a second, independent
//    implementation (node's crypto) on every request;
//  - ListMultipartUploads (GET /bucket?uploads) and AbortMultipartUpload (DELETE
//    /bucket/key?uploadId=...), read from s3rver's own upload folders;
//  - a request log, one line per request: "METHOD /path?query STATUS" (the tests count parts).
//  - HTTPS with --cert and --key (PEM files; s3rver serves TLS itself);
//  - faults on demand (--faults FILE, read at every request; absent = none): the file holds
//    {"match": "<regex>", "mode": "refuse" | "lose-reply"}, and a request whose
//    "METHOD /path" matches is refused with 503 SlowDown before anything is stored ("refuse"),
//    or done and then answered by a dropped connection ("lose-reply": the client cannot tell
//    it from a request that never arrived). Logged with the status "refused" / "lost".
// Usage: node s3_server.cjs --port N --directory DIR --bucket NAME --access-key ID --log FILE
//        [--cert CERT.pem --key KEY.pem] [--faults FILE]
//        (the secret: --secret KEY or $S3_SERVER_SECRET)
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const S3rver = require('s3rver');
const AWSAccount = require('s3rver/lib/models/account');

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
if (!args.secret && process.env.S3_SERVER_SECRET) args.secret = process.env.S3_SERVER_SECRET;
for (const k of ['port', 'directory', 'bucket', 'access-key', 'secret', 'log'])
  if (!args[k]) { console.error(`s3_server: --${k} is required`); process.exit(2); }

const enc = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
const hmac = (key, data) => crypto.createHmac('sha256', key).update(data).digest();
const sha = (data) => crypto.createHash('sha256').update(data).digest('hex');

function xmlError(ctx, status, code, message) {
  ctx.status = status;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

// SigV4 as the server computes it: null when the request is signed right, else the S3 error code.
function verify(ctx) {
  const auth = ctx.get('authorization');
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return 'AuthorizationHeaderMalformed';
  const [, keyId, day, region, signed, signature] = m;
  if (keyId !== args['access-key']) return 'InvalidAccessKeyId';
  const [rawPath, rawQuery = ''] = ctx.url.split('?');
  const query = rawQuery === '' ? [] : rawQuery.split('&').map((p) => {
    const [n, v = ''] = p.split('=');
    return [enc(decodeURIComponent(n)), enc(decodeURIComponent(v.replace(/\+/g, ' ')))];
  });
  query.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const headers = signed.split(';').map((h) => `${h}:${String(ctx.get(h)).trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonical = [ctx.method, rawPath, query.map(([n, v]) => `${n}=${v}`).join('&'), headers, signed,
    ctx.get('x-amz-content-sha256')].join('\n');
  const date = ctx.get('x-amz-date');
  const scope = `${day}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', date, scope, sha(canonical)].join('\n');
  let k = hmac('AWS4' + args.secret, day);
  for (const part of [region, 's3', 'aws4_request']) k = hmac(k, part);
  return hmac(k, toSign).toString('hex') === signature ? null : 'SignatureDoesNotMatch';
}

// The fault the --faults file asks for now, or null.
function currentFault() {
  if (!args.faults) return null;
  try {
    const f = JSON.parse(fs.readFileSync(args.faults, 'utf8'));
    return f && f.match && (f.mode === 'refuse' || f.mode === 'lose-reply') ? f : null;
  } catch { return null; }
}

const uploadsDir = (bucket) => path.join(args.directory, bucket, '._S3rver_uploads');

async function extras(ctx, next) {
  let logged = null;
  try {
    if (ctx.get('authorization')) {
      const problem = verify(ctx);
      if (problem) {
        const messages = {
          InvalidAccessKeyId: 'The AWS Access Key Id you provided does not exist in our records.',
          SignatureDoesNotMatch: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
          AuthorizationHeaderMalformed: 'The authorization header is malformed.',
        };
        return xmlError(ctx, problem === 'AuthorizationHeaderMalformed' ? 400 : 403, problem, messages[problem]);
      }
    }
    const [rawPath] = ctx.url.split('?');
    const fault = currentFault();
    if (fault && new RegExp(fault.match).test(`${ctx.method} ${rawPath}`)) {
      if (fault.mode === 'refuse') {
        logged = 'refused';
        return xmlError(ctx, 503, 'SlowDown', 'Please reduce your request rate.');
      }
      await next();
      logged = 'lost';
      ctx.respond = false;
      ctx.req.socket.destroy();
      return;
    }
    const parts = rawPath.split('/').filter((p) => p !== '');
    const bucket = parts.length ? decodeURIComponent(parts[0]) : '';
    const key = parts.slice(1).map(decodeURIComponent).join('/');
    if (ctx.method === 'GET' && parts.length === 1 && 'uploads' in ctx.query) {
      const prefix = ctx.query.prefix || '';
      let entries = [];
      try { entries = fs.readdirSync(uploadsDir(bucket)); } catch { entries = []; }
      const uploads = entries
        .map((id) => { try { return { id, key: fs.readFileSync(path.join(uploadsDir(bucket), id, 'key'), 'utf8') }; } catch { return null; } })
        .filter((u) => u && u.key.startsWith(prefix))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.id < b.id ? -1 : 1));
      const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      ctx.type = 'application/xml';
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<ListMultipartUploadsResult><Bucket>${esc(bucket)}</Bucket>` +
        `<Prefix>${esc(prefix)}</Prefix><IsTruncated>false</IsTruncated>` +
        uploads.map((u) => `<Upload><Key>${esc(u.key)}</Key><UploadId>${u.id}</UploadId></Upload>`).join('') +
        '</ListMultipartUploadsResult>';
      return;
    }
    if (ctx.method === 'DELETE' && parts.length > 1 && 'uploadId' in ctx.query) {
      const dir = path.join(uploadsDir(bucket), path.basename(ctx.query.uploadId));
      let owner = null;
      try { owner = fs.readFileSync(path.join(dir, 'key'), 'utf8'); } catch { owner = null; }
      if (owner !== key) return xmlError(ctx, 404, 'NoSuchUpload', 'The specified upload does not exist.');
      fs.rmSync(dir, { recursive: true, force: true });
      ctx.status = 204;
      return;
    }
    await next();
  } finally {
    fs.appendFileSync(args.log, `${ctx.method} ${ctx.url} ${logged || ctx.status}\n`);
  }
}

const server = new S3rver({
  port: Number(args.port), address: '127.0.0.1', directory: args.directory, silent: true,
  configureBuckets: [{ name: args.bucket }],
  ...(args.cert ? { cert: fs.readFileSync(args.cert), key: fs.readFileSync(args.key) } : {}),
});
// Checked above; s3rver's own check of the key id must accept the configured one.
AWSAccount.DUMMY_ACCOUNT.createKeyPair(args['access-key'], args.secret);
server.middleware.unshift(extras);
server.run().then(({ port }) => {
  process.stdout.write(`listening on ${args.cert ? 'https' : 'http'}://127.0.0.1:${port}\n`);
}, (err) => { console.error(`s3_server: ${err.message}`); process.exit(1); });
