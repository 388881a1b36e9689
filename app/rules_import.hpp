// `postern rules import FILE.rules [-o OUT.json]`: converts the Suricata rules Postern can run
// into a Postern rule file (stdout, or OUT.json) and reports each rule it cannot convert, with the
// reason, on stderr. Returns 0 when every rule was converted, 1 when some were refused (the file
// holds the others), 2 on misuse or an unreadable input.
#pragma once

#include <string>
#include <vector>

namespace postern::app {

int rules_import_main(const std::vector<std::string> &args);

}  // namespace postern::app
