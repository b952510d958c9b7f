// The whole state of the playground in the URL fragment: `#v1.<base64url of deflate-raw
// of JSON>`. Versioned, so that a later page can still read (or clearly refuse) old links.

export const SHARE_VERSION = 1;

function toBase64Url(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text) {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(b64 + "===".slice((b64.length + 3) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

async function pipe(bytes, stream) {
  const body = new Blob([bytes]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(body).arrayBuffer());
}

export async function encodeState(state) {
  const json = new TextEncoder().encode(JSON.stringify({ v: SHARE_VERSION, ...state }));
  const packed = await pipe(json, new CompressionStream("deflate-raw"));
  return `v${SHARE_VERSION}.${toBase64Url(packed)}`;
}

// The state in a fragment (without `#`), or null when there is none; throws an Error with
// a sentence for the reader when the link is damaged or from an unknown version.
export async function decodeState(fragment) {
  if (!fragment) return null;
  const m = /^v(\d+)\.([A-Za-z0-9_-]+)$/.exec(fragment);
  if (!m) {
    throw new Error("this link's state is damaged (it should start with #v1.); the page opened with the shipped rules instead");
  }
  if (Number(m[1]) !== SHARE_VERSION) {
    throw new Error(`this link was made by a newer playground (state version ${m[1]}); open it with that version of the page`);
  }
  try {
    const bytes = await pipe(fromBase64Url(m[2]), new DecompressionStream("deflate-raw"));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new Error("this link's state is damaged (cut short when copied?); the page opened with the shipped rules instead");
  }
}
