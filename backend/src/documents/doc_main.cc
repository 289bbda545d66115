// carbonx-doc: standalone entry for the documents CLI (doc_cli.h).
#include "documents/doc_cli.h"

int main(int argc, char** argv) { return cx::documents::RunDocCli(argc, argv); }
