#include "rules/loader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "rules/rule_parser.hpp"
#include "rules/rule_tests.hpp"

namespace postern::rules {

namespace {

Diagnostic file_error(const std::string &file, std::string message) {
    Diagnostic d;
    d.file = file;
    d.message = std::move(message);
    return d;
}

std::string place(const Rule &r) { return r.file + " rules[" + std::to_string(r.position) + "]"; }

// A rule id used twice makes both rules ambiguous (alerts, thresholds, the REST API key on it).
void reject_duplicate_ids(std::vector<Rule> &rules, std::vector<RejectedRule> &rejected, Diagnostics &diags) {
    std::map<uint32_t, std::vector<std::string>> where;
    for (const Rule &r : rules) where[r.id].push_back(place(r));
    for (const RejectedRule &r : rejected)
        if (r.rule.id) where[r.rule.id].push_back(place(r.rule));
    std::vector<Rule> kept;
    for (Rule &r : rules) {
        const auto &places = where[r.id];
        if (places.size() < 2) {
            kept.push_back(std::move(r));
            continue;
        }
        Diagnostic d;
        d.file = r.file;
        d.rule_id = r.id;
        d.path = "id";
        std::string others;
        for (const auto &p : places)
            if (p != place(r)) others += (others.empty() ? "" : ", ") + p;
        d.message = "duplicate id: also used by " + others;
        diags.push_back(std::move(d));
        rejected.push_back({std::move(r), true});
    }
    rules = std::move(kept);
}

RuleStatus status_row(const Rule &r, bool has_level) {
    RuleStatus row;
    row.id = r.id;
    row.title = r.title;
    row.file = r.file;
    row.position = r.position;
    row.has_level = has_level;
    row.level = r.level;
    row.tests_total = r.tests.size();
    return row;
}

}  // namespace

size_t LoadReport::errors() const {
    return static_cast<size_t>(std::count_if(diagnostics.begin(), diagnostics.end(),
                                             [](const Diagnostic &d) { return d.severity == Diagnostic::Severity::Error; }));
}

size_t LoadReport::warnings() const { return diagnostics.size() - errors(); }

LoadReport load_rule_sources(const std::vector<RuleSource> &sources, const LoadOptions &options) {
    LoadReport report;
    report.files = sources.size();
    std::vector<Rule> rules;
    std::vector<RejectedRule> rejected;
    for (const RuleSource &s : sources) {
        ParsedFile f = parse_rule_text(s.text, s.name, report.diagnostics);
        for (Rule &r : f.rules) rules.push_back(std::move(r));
        for (RejectedRule &r : f.rejected) rejected.push_back(std::move(r));
    }
    reject_duplicate_ids(rules, rejected, report.diagnostics);

    // The expressions of rejected rules are checked too, so one run lists every problem.
    for (const RejectedRule &r : rejected) check_rule_patterns(r.rule, report.diagnostics);

    std::map<uint32_t, size_t> row_of;
    for (const Rule &r : rules) {
        row_of[r.id] = report.rules.size();
        report.rules.push_back(status_row(r, true));
    }
    for (const RejectedRule &r : rejected) report.rules.push_back(status_row(r.rule, r.has_level));

    CompileResult compiled = compile_rule_set(std::move(rules), options.compile);
    report.compile_seconds = compiled.seconds;
    for (Diagnostic &d : compiled.diagnostics) report.diagnostics.push_back(std::move(d));
    if (compiled.set) {
        for (const Rule &r : compiled.set->rules()) report.rules[row_of[r.id]].result = RuleStatus::Result::Passed;
        if (options.run_tests) {
            const Scratch scratch = compiled.set->make_scratch();
            for (const RuleTestResult &t : run_rule_tests(*compiled.set, scratch)) {
                RuleStatus &row = report.rules[row_of[t.rule_id]];
                row.tests_passed = t.passed;
                if (t.ok()) continue;
                row.result = RuleStatus::Result::Failed;
                const Rule *r = compiled.set->find(t.rule_id);
                for (const TestFailure &f : t.failures) {
                    Diagnostic d;
                    d.file = r ? r->file : std::string();
                    d.rule_id = t.rule_id;
                    d.path = f.where;
                    d.message = f.message;
                    report.diagnostics.push_back(std::move(d));
                }
            }
        }
    }
    std::map<std::string, size_t> file_order;
    for (const RuleSource &s : sources) file_order.emplace(s.name, file_order.size());
    std::sort(report.rules.begin(), report.rules.end(), [&](const RuleStatus &a, const RuleStatus &b) {
        return std::pair(file_order[a.file], a.position) < std::pair(file_order[b.file], b.position);
    });
    if (compiled.set && !has_errors(report.diagnostics)) report.set = std::move(compiled.set);
    return report;
}

LoadReport load_rule_files(const std::vector<std::string> &paths, const LoadOptions &options) {
    namespace fs = std::filesystem;
    std::vector<RuleSource> sources;
    Diagnostics read_errors;
    auto read = [&](const std::string &path) {
        std::ifstream in(path, std::ios::binary);
        if (!in) return read_errors.push_back(file_error(path, std::string("cannot read: ") + std::strerror(errno)));
        std::ostringstream text;
        text << in.rdbuf();
        sources.push_back({path, text.str()});
    };
    for (const std::string &p : paths) {
        std::error_code ec;
        if (!fs::is_directory(p, ec)) {
            read(p);
            continue;
        }
        std::vector<std::string> files;
        for (const auto &e : fs::directory_iterator(p, ec))
            if (e.path().extension() == ".json") files.push_back(e.path().string());
        std::sort(files.begin(), files.end());
        if (files.empty()) read_errors.push_back(file_error(p, "directory holds no *.json rule files"));
        for (const auto &f : files) read(f);
    }
    LoadReport report = load_rule_sources(sources, options);
    if (!read_errors.empty()) {
        report.diagnostics.insert(report.diagnostics.begin(), read_errors.begin(), read_errors.end());
        report.set.reset();
    }
    return report;
}

LoadReport validate_rule_text(std::string_view json, std::string name, const LoadOptions &options) {
    return load_rule_sources({RuleSource{std::move(name), std::string(json)}}, options);
}

}  // namespace postern::rules
