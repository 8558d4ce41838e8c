// vigil: security and compliance monitoring daemon. See `vigil --help`.
#include "cli.h"

int main(int argc, char** argv) { return vigil::RunCli(argc, argv); }
