// Files unit tests write go in one folder of this process's own (under $TMPDIR, else /tmp),
// removed when the process exits, so runs never leave files beside other users' in /tmp.
#pragma once

#include <string>

namespace postern::testing {

// "<per-process folder>/<name>"; the folder is made on first use.
std::string temp_file(const std::string &name);

}  // namespace postern::testing
