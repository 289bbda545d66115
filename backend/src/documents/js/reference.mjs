// Reference CIDs from the JavaScript UnixFS importer, for comparison with the C++ one.
// Usage: node reference.mjs FILE...   prints "<cid> <size> <file>" per file.
// Options match `ipfs add --cid-version=1 --raw-leaves`: CIDv1, raw leaves, fixed 256 KiB
// chunks, balanced layout with at most 174 children per node.
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'

// Keeps nothing: only the CIDs matter here.
const blockstore = { put: async (cid) => cid }

export async function referenceCid (file) {
  const entries = importer([{ content: createReadStream(file, { highWaterMark: 1 << 20 }) }], blockstore, {
    cidVersion: 1,
    rawLeaves: true,
    chunker: fixedSize({ chunkSize: 262144 }),
    layout: balanced({ maxChildrenPerNode: 174 }),
    reduceSingleLeafToSelf: true
  })
  let root
  for await (const e of entries) root = e
  return root.cid.toString()
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const f of process.argv.slice(2)) {
    const { size } = await stat(f)
    console.log(`${await referenceCid(f)} ${size} ${f}`)
  }
}
