// `postern rules check FILE...`: validates rule files (or directories of them), runs every rule's
// embedded tests through the real parsers and matcher, prints problems to stderr and a table of
// rules with pass/fail to stdout. Returns 0 when everything passed, 1 otherwise, 2 on misuse.
#pragma once

#include <string>
#include <vector>

namespace postern::app {

int rules_check_main(const std::vector<std::string> &files);

}  // namespace postern::app
