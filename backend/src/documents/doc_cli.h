// Command line for documents: `carbonx doc ...` (routed by the app) and the standalone
// `carbonx-doc` executable. Prints results on stdout, errors as "error: CODE: message"
// on stderr; exit status 0 on success, 1 on a failed operation, 2 on bad usage.
//
//   add FILE [--data DIR] [--private | --e2e] [--media-type T] [--owner U]   prints the CID
//                                (--e2e: FILE is client-side ciphertext, access restricted)
//   get CID [--data DIR] [--out FILE] [--offset N] [--length N]      bytes to stdout/FILE
//   stat CID [--data DIR]        metadata as key=value lines
//   verify CID [--data DIR]      re-hashes every block (and decrypts if private)
//   car CID [--data DIR] --out FILE    CAR v1 export
//   cid FILE                     the CID only, nothing stored
//   pin CID [--data DIR] --api URL     queue and push a pin to a kubo node
//   pins [--data DIR]            list pending pins with their last error
//
// --data defaults to $CX_DATA/documents or ./var/documents. The master key for private
// documents comes from --key-file FILE or the CX_DOC_MASTER_KEY environment variable.
#pragma once

namespace cx::documents {
int RunDocCli(int argc, char** argv);
}  // namespace cx::documents
