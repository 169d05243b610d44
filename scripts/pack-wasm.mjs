// The WebAssembly engine as layouts/assets/search-engine.js carries it:
// gzip-compressed by zopfli (about 9% smaller than gzip -9; the browser
// inflates it with DecompressionStream), then basE91-encoded (about 23% more
// characters than bytes, against 33% for base64), so a first query
// downloads as little as a script can carry. Used by
// scripts/build-search-engine.sh:
//
//   node scripts/pack-wasm.mjs encode ENGINE.wasm   # prints the text
//   node scripts/pack-wasm.mjs decode ASSET.js      # writes the wasm back
//
// basE91 (Joachim Henke's encoding): 13 or 14 bits per pair of characters
// from 91 printable ASCII ones, none of them ' or \, so the text fits in a
// single-quoted script string as it is. assets/search.js decodes it.
import fs from 'node:fs';
import zlib from 'node:zlib';
import { gzipAsync } from '@gfx/zopfli';

const ALPHABET =
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&()*+,./:;<=>?@[]^_`{|}~"';

export function encode(bytes) {
  let out = '', b = 0, n = 0;
  for (const byte of bytes) {
    b |= byte << n;
    n += 8;
    if (n > 13) {
      let v = b & 8191;
      if (v > 88) {
        b >>= 13;
        n -= 13;
      } else {
        v = b & 16383;
        b >>= 14;
        n -= 14;
      }
      out += ALPHABET[v % 91] + ALPHABET[Math.floor(v / 91)];
    }
  }
  if (n) {
    out += ALPHABET[b % 91];
    if (n > 7 || b > 90) out += ALPHABET[Math.floor(b / 91)];
  }
  return out;
}

// The same steps as assets/search.js's decoder.
export function decode(text) {
  const out = [];
  let b = 0, n = 0, v = -1;
  for (const c of text) {
    const d = ALPHABET.indexOf(c);
    if (d < 0) throw new Error(`not basE91: ${JSON.stringify(c)}`);
    if (v < 0) {
      v = d;
    } else {
      v += d * 91;
      b |= v << n;
      n += (v & 8191) > 88 ? 13 : 14;
      do {
        out.push(b & 255);
        b >>= 8;
        n -= 8;
      } while (n > 7);
      v = -1;
    }
  }
  if (v > -1) out.push((b | (v << n)) & 255);
  return Uint8Array.from(out);
}

const [mode, file] = process.argv.slice(2);
if (mode === 'encode') {
  const wasm = fs.readFileSync(file);
  const gz = Buffer.from(await gzipAsync(wasm, { numiterations: 15 }));
  const text = encode(gz);
  // Never ship what does not come back as the same module.
  if (!zlib.gunzipSync(decode(text)).equals(wasm)) throw new Error('basE91 round trip failed');
  process.stdout.write(text);
} else if (mode === 'decode') {
  const m = /^window\.campfireSearchWasm='([^']*)';$/m.exec(fs.readFileSync(file, 'utf8'));
  if (!m) throw new Error(`${file}: no window.campfireSearchWasm='…'; line`);
  process.stdout.write(zlib.gunzipSync(decode(m[1])));
} else {
  console.error('usage: node scripts/pack-wasm.mjs encode ENGINE.wasm | decode ASSET.js');
  process.exit(2);
}
