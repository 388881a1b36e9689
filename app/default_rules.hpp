// Where the shipped rule set is, for `postern -r` without a config or --rules (as `suricata -r`
// loads its default rules): next to the binary in a build tree (config/rules), then the installed
// copy (<prefix>/share/postern/rules), then /etc/postern/rules.
#pragma once

#include <optional>
#include <string>

namespace postern::app {

std::optional<std::string> find_default_rules();

}  // namespace postern::app
