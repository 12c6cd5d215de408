#pragma once
// `cybercover report`: the company's feedback report as HTML, and as PDF through headless
// Chromium; or the remediation plan as JSON.

namespace cybercover::cli {

// Runs `cybercover report ...` (argv[1] is "report"). Returns the exit code; usage errors are
// reported here (exit 2), library errors propagate as cybercover::Error.
int run_report(int argc, char** argv);

}  // namespace cybercover::cli
