#include "rule_reload.hpp"

#include <chrono>
#include <cstdio>

#include "rules/rule_names.hpp"

namespace postern::dataplane {

namespace {

double unix_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::vector<std::string> error_lines(const rules::LoadReport &r) {
    std::vector<std::string> out;
    for (const auto &d : r.diagnostics)
        if (d.severity == rules::Diagnostic::Severity::Error) out.push_back(d.to_string());
    if (out.empty() && !r.ok()) out.push_back("rules: no rule set could be built");
    return out;
}

}  // namespace

RuleReloader::RuleReloader(RulePublication &publication, std::vector<std::string> files, size_t workers,
                           std::shared_ptr<const rules::RuleSet> initial)
    : publication_(publication), files_(std::move(files)), workers_(workers) {
    if (initial) publication_.publish(std::move(initial));
    loaded_at_ = unix_now();
}

RuleReloader::~RuleReloader() { wait(); }

rules::LoadOptions RuleReloader::options() const {
    rules::LoadOptions o;
    o.compile.scratch_slots = workers_;
    return o;
}

bool RuleReloader::validate(std::string text, Done done) {
    if (validating_.valid()) return false;
    validating_ = std::async(std::launch::async, [text = std::move(text)] {
        rules::LoadOptions o;  // no worker scratches: this set is never published
        const rules::LoadReport report = rules::validate_rule_text(text, "request", o);
        ReloadResult r;
        r.status = report.ok() ? ReloadResult::Status::Applied : ReloadResult::Status::Invalid;
        r.rules = report.ok() ? report.set->rules().size() : 0;
        r.errors = error_lines(report);
        return r;
    });
    validated_ = std::move(done);
    return true;
}

bool RuleReloader::reload_files(Done done) {
    if (busy()) return false;
    pending_ = std::async(std::launch::async, [files = files_, o = options()] { return rules::load_rule_files(files, o); });
    done_ = std::move(done);
    source_ = "files";
    return true;
}

bool RuleReloader::replace(std::string text, Done done) {
    if (busy()) return false;
    pending_ = std::async(std::launch::async,
                          [text = std::move(text), o = options()] { return rules::load_rule_sources({{"request", text}}, o); });
    done_ = std::move(done);
    source_ = "request";
    return true;
}

void RuleReloader::poll() {
    publication_.reclaim();
    if (validating_.valid() && validating_.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
        ReloadResult r = validating_.get();
        r.version = version();
        Done done = std::move(validated_);
        validated_ = {};
        if (done) done(r);
    }
    if (!pending_.valid() || pending_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return;
    finish(pending_.get());
}

void RuleReloader::wait() {
    if (pending_.valid()) finish(pending_.get());
    if (validating_.valid()) validating_.get();  // its client is gone with the API
    validated_ = {};
}

void RuleReloader::finish(rules::LoadReport report) {
    ReloadResult r;
    if (report.ok()) {
        r.status = ReloadResult::Status::Applied;
        publication_.publish(report.set);
        ++stats_.ok;
        loaded_at_ = stats_.last_reload_unix_seconds = unix_now();
        std::fprintf(stderr, "postern: rules reloaded from %s: version %llu, %zu rules\n", source_.c_str(),
                     static_cast<unsigned long long>(report.set->version()), report.set->rules().size());
    } else {
        r.status = ReloadResult::Status::Invalid;
        r.errors = error_lines(report);
        ++stats_.failed;
        std::fprintf(stderr, "postern: rule reload from %s failed (%zu errors), keeping version %llu\n",
                     source_.c_str(), r.errors.size(), static_cast<unsigned long long>(version()));
        for (const auto &e : r.errors) std::fprintf(stderr, "postern:   %s\n", e.c_str());
    }
    r.version = version();
    r.rules = rules_loaded();
    Done done = std::move(done_);
    done_ = {};
    if (done) done(r);
}

size_t RuleReloader::rules_loaded() const { return publication_.owner() ? publication_.owner()->rules().size() : 0; }

uint64_t RuleReloader::version() const { return publication_.owner() ? publication_.owner()->version() : 0; }

nlohmann::json RuleReloader::info() const {
    nlohmann::json j;
    const auto &set = publication_.owner();
    j["version"] = version();
    j["content_hash"] = set ? set->content_hash_hex() : "";
    j["rules_loaded"] = set ? set->rules().size() : 0;
    j["files"] = files_;
    j["loaded_at"] = loaded_at_;
    j["reloads_ok"] = stats_.ok;
    j["reloads_failed"] = stats_.failed;
    auto &list = j["rules"] = nlohmann::json::array();
    if (set)
        for (const auto &rule : set->rules())
            list.push_back({{"id", rule.id},
                            {"rev", rule.rev},
                            {"title", rule.title},
                            {"level", rules::level_name(rule.level)},
                            {"status", rules::status_name(rule.status)},
                            {"action", rules::action_name(rule.action)},
                            {"tags", rule.tags}});
    return j;
}

}  // namespace postern::dataplane
