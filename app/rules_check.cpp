#include "rules_check.hpp"

#include <algorithm>
#include <cstdio>

#include "rules/loader.hpp"
#include "rules/rule_names.hpp"

namespace postern::app {

namespace {

using rules::RuleStatus;

std::string_view result_name(RuleStatus::Result r) {
    switch (r) {
    case RuleStatus::Result::Passed: return "pass";
    case RuleStatus::Result::Failed: return "FAIL";
    case RuleStatus::Result::Invalid: return "INVALID";
    }
    return "?";
}

std::string cut(const std::string &s, size_t n) { return s.size() <= n ? s : s.substr(0, n - 3) + "..."; }

void print_table(const rules::LoadReport &report) {
    size_t file_w = 4;
    for (const RuleStatus &r : report.rules) file_w = std::max(file_w, r.file.size());
    file_w = std::min<size_t>(file_w, 48);
    std::printf("%-10s  %-13s  %-7s  %-7s  %-*s  %s\n", "ID", "LEVEL", "TESTS", "RESULT", static_cast<int>(file_w),
                "FILE", "TITLE");
    for (const RuleStatus &r : report.rules) {
        const std::string id = r.id ? std::to_string(r.id) : "rules[" + std::to_string(r.position) + "]";
        const std::string tests = r.result == RuleStatus::Result::Invalid && r.tests_passed == 0
                                      ? "-"
                                      : std::to_string(r.tests_passed) + "/" + std::to_string(r.tests_total);
        std::printf("%-10s  %-13s  %-7s  %-7s  %-*s  %s\n", id.c_str(),
                    r.has_level ? std::string(rules::level_name(r.level)).c_str() : "-",
                    tests.c_str(), std::string(result_name(r.result)).c_str(), static_cast<int>(file_w),
                    cut(r.file, file_w).c_str(), cut(r.title, 70).c_str());
    }
}

}  // namespace

int rules_check_main(const std::vector<std::string> &files) {
    if (files.empty()) {
        std::fputs("usage: postern rules check FILE|DIR...\n", stderr);
        return 2;
    }
    const rules::LoadReport report = rules::load_rule_files(files);
    for (const auto &d : report.diagnostics) std::fprintf(stderr, "%s\n", d.to_string().c_str());
    print_table(report);
    size_t passed = 0, failed = 0, invalid = 0, tests = 0, tests_passed = 0;
    for (const RuleStatus &r : report.rules) {
        tests += r.tests_total;
        tests_passed += r.tests_passed;
        if (r.result == RuleStatus::Result::Passed) ++passed;
        else if (r.result == RuleStatus::Result::Failed) ++failed;
        else ++invalid;
    }
    std::printf("\n%zu rules in %zu files: %zu passed, %zu failed, %zu invalid; %zu/%zu tests passed; %zu errors, "
                "%zu warnings\n",
                report.rules.size(), report.files, passed, failed, invalid, tests_passed, tests, report.errors(),
                report.warnings());
    if (report.ok())
        std::printf("rule set OK: %zu expressions in %zu databases (%zu KiB), content hash %s, compiled in %.0f ms\n",
                    report.set->expression_count(), report.set->database_count(), report.set->database_bytes() / 1024,
                    report.set->content_hash_hex().c_str(), report.compile_seconds * 1e3);
    else
        std::printf("rule set REJECTED: fix the errors above; nothing would be loaded\n");
    return report.ok() ? 0 : 1;
}

}  // namespace postern::app
