// Checks a CAR v1 file written by the C++ exporter against the JavaScript stack:
// the header names the expected root, every block hashes to its CID, and the set of
// blocks is exactly the one ipfs-unixfs-importer produces for the original file.
// Usage: node check-car.mjs FILE.car ORIGINAL_FILE EXPECTED_CID   (exit 1 on mismatch)
import { readFile } from 'node:fs/promises'
import { createReadStream } from 'node:fs'
import { CarReader } from '@ipld/car'
import { sha256 } from 'multiformats/hashes/sha2'
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'

const [carPath, original, expected] = process.argv.slice(2)
const fail = (msg) => { console.error(`check-car: ${msg}`); process.exit(1) }

const reader = await CarReader.fromBytes(await readFile(carPath))
if (reader.version !== 1) fail(`version ${reader.version}`)
const roots = await reader.getRoots()
if (roots.length !== 1 || roots[0].toString() !== expected) fail(`roots ${roots}`)

const inCar = new Set()
for await (const { cid, bytes } of reader.blocks()) {
  const digest = await sha256.digest(bytes)
  if (!equal(digest.digest, cid.multihash.digest)) fail(`block ${cid} does not hash to its CID`)
  if (inCar.has(cid.toString())) fail(`block ${cid} repeated`)
  inCar.add(cid.toString())
}

const expectedBlocks = new Set()
const blockstore = { put: async (cid) => { expectedBlocks.add(cid.toString()); return cid } }
let root
for await (const e of importer([{ content: createReadStream(original, { highWaterMark: 1 << 20 }) }], blockstore, {
  cidVersion: 1, rawLeaves: true, chunker: fixedSize({ chunkSize: 262144 }), layout: balanced({ maxChildrenPerNode: 174 })
})) root = e
if (root.cid.toString() !== expected) fail(`reference importer gives ${root.cid}`)
if (inCar.size !== expectedBlocks.size) fail(`${inCar.size} blocks in CAR, ${expectedBlocks.size} expected`)
for (const c of expectedBlocks) if (!inCar.has(c)) fail(`block ${c} missing from CAR`)
console.log(`car ok ${expected} ${inCar.size} blocks`)

function equal (a, b) {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
