// libFuzzer target: Suricata rule text through `postern rules import`: the rule splitter (quotes,
// escapes, continuation lines), the keyword conversion, and the loader's check of each result.
// Every converted rule must load on its own, and the rule file built from them must load too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rules/import/suricata_import.hpp"
#include "rules/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    using namespace postern::rules;
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    const import::ImportResult r = import::import_suricata_rules(text, "fuzz.rules");
    if (r.rules.empty()) return 0;
    const LoadReport loaded = validate_rule_text(r.rule_file_text("fuzz.rules", -1), "fuzz.json");
    if (!loaded.ok()) std::abort();  // the importer promised rules that load
    return 0;
}
