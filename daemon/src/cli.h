// The `vigil` command line: parses argv with CLI11 and runs one subcommand.
// Exit codes: 0 success, 1 invalid input (bad config, bad rules, failed verification),
// 2 usage errors and features not available in this build.
#pragma once

namespace vigil {

int RunCli(int argc, char** argv);

}  // namespace vigil
