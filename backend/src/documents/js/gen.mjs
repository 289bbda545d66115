// Writes the test files for tools/suites/20-documents.sh into DIR, reproducibly from SEED:
// the named edge sizes of issue 7 and 20 random sizes (some around the 174-link level
// boundary of 45,613,056 bytes). Prints one "<file> <size>" line per file.
// Usage: node gen.mjs SEED DIR
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

const [seedArg, dir] = process.argv.slice(2)
let state = (Number(seedArg) >>> 0) || 1
const next = () => { // xorshift32
  state ^= state << 13; state >>>= 0
  state ^= state >>> 17
  state ^= state << 5; state >>>= 0
  return state
}
const KiB = 1024, MiB = 1024 * KiB, LEVEL = 174 * 256 * KiB

const files = [
  ['empty', 0], ['one-byte', 1], ['chunk', 256 * KiB], ['chunk-plus-1', 256 * KiB + 1],
  ['mib-minus-1', MiB - 1], ['fifty-mib', 50 * MiB]
]
for (let i = 0; i < 20; i++) {
  let size
  if (i < 10) size = next() % (MiB + 1)                       // up to 1 MiB
  else if (i < 18) size = MiB + next() % (7 * MiB)            // 1..8 MiB
  else size = LEVEL - 256 * KiB + next() % (512 * KiB)        // around one full level
  if (i === 3) size = (next() % 8) * 256 * KiB                // a chunk multiple
  files.push([`random-${String(i).padStart(2, '0')}`, size])
}

for (const [name, size] of files) {
  const words = new Uint32Array(Math.ceil(size / 4))
  for (let j = 0; j < words.length; j++) words[j] = next()
  const bytes = new Uint8Array(words.buffer, 0, size)
  writeFileSync(join(dir, name), bytes)
  console.log(`${name} ${size}`)
}
