// Reads a WARC file with webrecorder's warcio (an independent reader) and prints one JSON line
// per record: type, target URI, HTTP status, record id, concurrent-to, and whether the block and
// payload digests it declares match the bytes warcio read. Used by
// tests/integration/crawl_warc_test.cpp. Usage: node warcio_dump.mjs FILE.warc.gz
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { WARCParser } from 'warcio';

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function sha1Base32(bytes) {
  const h = createHash('sha1').update(bytes).digest();
  let out = '', acc = 0, bits = 0;
  for (const b of h) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += alphabet[(acc >>> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  return 'sha1:' + out;
}

// First pass without HTTP parsing: the block exactly as stored, for WARC-Block-Digest.
const blockOk = new Map();
for await (const record of new WARCParser(createReadStream(process.argv[2]), { parseHttp: false })) {
  const declared = record.warcHeaders.headers.get('WARC-Block-Digest');
  const block = Buffer.from(await record.readFully(false));
  blockOk.set(record.warcHeaders.headers.get('WARC-Record-ID'),
              declared ? declared === sha1Base32(block) : null);
}

const parser = new WARCParser(createReadStream(process.argv[2]));
for await (const record of parser) {
  const h = record.warcHeaders;
  const payload = Buffer.from(await record.readFully(false)); // the bytes after the HTTP headers, undecoded
  const line = {
    type: record.warcType,
    uri: record.warcTargetURI ?? null,
    id: h.headers.get('WARC-Record-ID'),
    concurrent_to: h.headers.get('WARC-Concurrent-To') ?? null,
    date: h.headers.get('WARC-Date'),
    content_length: Number(h.headers.get('Content-Length')),
    status: record.httpHeaders ? Number(record.httpHeaders.statusCode) || null : null,
    payload_length: payload.length,
  };
  const declared = h.headers.get('WARC-Payload-Digest');
  if (declared) line.payload_digest_ok = declared === sha1Base32(payload);
  if (record.httpHeaders && record.warcType === 'response') {
    line.content_encoding = record.httpHeaders.headers.get('Content-Encoding') ?? null;
    line.http_content_length = Number(record.httpHeaders.headers.get('Content-Length'));
  }
  line.block_digest_ok = blockOk.get(line.id) ?? null;
  console.log(JSON.stringify(line));
}
