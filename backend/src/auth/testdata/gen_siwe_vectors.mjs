// Generates SIWE (EIP-4361) test vectors with a real wallet library (ethers v6, pinned in
// package-lock.json). Run: `source tools/env.sh && npm ci && npm run gen` in this folder;
// the output siwe_vectors.txt is committed and read by siwe_test.cc.
// Format: one vector per line, tab-separated:
//   name  signer_address(EIP-55, as ethers computes it)  message(hex of UTF-8)  signature(0x r||s||v)
// ethers signs deterministically (RFC 6979), so the file is reproducible.
import { Wallet, getAddress, verifyMessage, Signature } from "ethers";

const keyA = new Wallet("0x" + "11".repeat(32));
const keyB = new Wallet("0x" + "22".repeat(32));

function siwe({ scheme, domain, address, statement, uri, chainId, nonce, issuedAt,
                expirationTime, notBefore, requestId, resources }) {
  // Follows the ABNF of EIP-4361 exactly (no statement -> an empty line stays).
  let m = `${scheme ? scheme + "://" : ""}${domain} wants you to sign in with your Ethereum account:\n`;
  m += `${address}\n\n`;
  if (statement !== undefined) m += `${statement}\n`;
  m += `\nURI: ${uri}\nVersion: 1\nChain ID: ${chainId}\nNonce: ${nonce}\nIssued At: ${issuedAt}`;
  if (expirationTime) m += `\nExpiration Time: ${expirationTime}`;
  if (notBefore) m += `\nNot Before: ${notBefore}`;
  if (requestId !== undefined) m += `\nRequest ID: ${requestId}`;
  if (resources) m += `\nResources:` + resources.map((r) => `\n- ${r}`).join("");
  return m;
}

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const out = [];
async function add(name, wallet, fields) {
  const message = siwe(fields);
  const sig = await wallet.signMessage(message);
  if (verifyMessage(message, sig) !== wallet.address) throw new Error("ethers self-check failed");
  out.push([name, wallet.address, Buffer.from(message, "utf8").toString("hex"), sig]);
  return { message, sig };
}

const issuedAt = "2026-11-28T10:00:00.000Z";
const full = {
  domain: "carbonx.example", address: keyA.address,
  statement: "Sign in to CarbonXchange. This request will not trigger a blockchain transaction.",
  uri: "https://carbonx.example/login", chainId: 1, nonce: "n0nceAbC12345678", issuedAt,
  expirationTime: "2026-11-28T10:10:00.000Z", notBefore: "2026-11-28T09:59:00Z",
  requestId: "req-42", resources: ["ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/",
                                   "https://carbonx.example/terms"],
};
const fullSigned = await add("full", keyA, full);
await add("minimal", keyB, { domain: "carbonx.example", address: keyB.address,
  uri: "https://carbonx.example/login", chainId: 1, nonce: "abcdefgh", issuedAt });
await add("scheme_port_polygon", keyA, { scheme: "https", domain: "app.carbonx.example:8443",
  address: keyA.address, statement: "Polygon sign-in", uri: "https://app.carbonx.example:8443/",
  chainId: 137, nonce: "Zz9Yy8Xx7Ww6", issuedAt: "2026-11-28T11:00:00+01:00" });
// A message claiming key A's address but signed by key B.
await add("other_key", keyB, { ...full, nonce: "otherKey0001" });

// The same signature as "full" with s replaced by n - s and v flipped: a valid ECDSA
// signature that EIP-2 forbids (high s). ethers itself normalises it back.
const s = Signature.from(fullSigned.sig);
const highS = N - BigInt(s.s);
const v = s.v === 27 ? 28 : 27;
const highSig = "0x" + s.r.slice(2) + highS.toString(16).padStart(64, "0") + v.toString(16);
out.push(["high_s", keyA.address, Buffer.from(fullSigned.message, "utf8").toString("hex"), highSig]);

// Sanity: the address ethers derives for key A, checksummed.
if (getAddress(keyA.address.toLowerCase()) !== keyA.address) throw new Error("checksum");
for (const row of out) console.log(row.join("\t"));
