#include "rules_import.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "rules/import/suricata_import.hpp"

namespace postern::app {

int rules_import_main(const std::vector<std::string> &args) {
    std::string input, output;
    for (size_t i = 0; i < args.size(); ++i) {
        if ((args[i] == "-o" || args[i] == "--output") && i + 1 < args.size()) output = args[++i];
        else if (input.empty() && !args[i].empty() && args[i][0] != '-') input = args[i];
        else input.clear(), i = args.size();
    }
    if (input.empty()) {
        std::fputs("usage: postern rules import FILE.rules [-o OUT.json]\n", stderr);
        return 2;
    }
    std::ifstream in(input, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "postern: rules import: cannot read %s\n", input.c_str());
        return 2;
    }
    std::ostringstream text;
    text << in.rdbuf();
    const auto result = rules::import::import_suricata_rules(text.str(), input);
    for (const auto &r : result.rules)
        for (const auto &n : r.notes) std::fprintf(stderr, "%s:%zu: sid %llu: note: %s\n", input.c_str(), r.line,
                                                   static_cast<unsigned long long>(r.sid), n.c_str());
    for (const auto &r : result.refused)
        std::fprintf(stderr, "%s:%zu: %snot converted: %s\n", input.c_str(), r.line,
                     r.sid ? ("sid " + std::to_string(r.sid) + ": ").c_str() : "", r.reason.c_str());
    const std::string json = result.rule_file_text(input);
    if (output.empty()) {
        std::fputs(json.c_str(), stdout);
    } else {
        std::ofstream out(output, std::ios::binary | std::ios::trunc);
        if (!(out << json)) {
            std::fprintf(stderr, "postern: rules import: cannot write %s\n", output.c_str());
            return 2;
        }
    }
    std::fprintf(stderr, "%zu rules converted, %zu not converted\n", result.rules.size(), result.refused.size());
    return result.refused.empty() ? 0 : 1;
}

}  // namespace postern::app
