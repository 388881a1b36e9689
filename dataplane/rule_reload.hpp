// Rule reloads on the control plane: compiles and tests a new rule set on a helper thread (a big
// set takes seconds; the control plane keeps draining events meanwhile), then publishes it to the
// workers through RulePublication. One reload at a time; a failed one keeps the running set.
// Triggers: SIGUSR2 (re-read the configured files) and the REST API (files or a request body).
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "rule_publication.hpp"
#include "rules/loader.hpp"

namespace postern::dataplane {

struct ReloadResult {
    enum class Status { Applied, Invalid, Busy, Error };
    Status status = Status::Error;
    uint64_t version = 0;  // the running set's version after the call
    size_t rules = 0;  // rules in the running set
    std::vector<std::string> errors;  // "file: rule N: path: reason", every one found
};

struct ReloadStats {
    uint64_t ok = 0;
    uint64_t failed = 0;
    double last_reload_unix_seconds = 0;  // 0: never reloaded
};

class RuleReloader {
public:
    using Done = std::function<void(const ReloadResult &)>;

    // `files`: what SIGUSR2 and reload_files() read; `initial`: the set the workers start with.
    RuleReloader(RulePublication &publication, std::vector<std::string> files, size_t workers,
                 std::shared_ptr<const rules::RuleSet> initial);
    ~RuleReloader();

    // Compiles and tests one rule file's text on a helper thread; never applies it. False when a
    // validation is in flight. done runs on the control thread, from poll().
    bool validate(std::string rules_file_json, Done done);
    // Start a reload; false when one is in flight (nothing started, done is not called).
    // done runs on the control thread, from poll().
    bool reload_files(Done done = {});
    bool replace(std::string rules_file_json, Done done = {});
    bool busy() const { return pending_.valid(); }
    // Every control-loop iteration: finishes a reload that compiled, frees replaced sets.
    void poll();
    // Waits for a reload in flight (shutdown).
    void wait();

    nlohmann::json info() const;
    ReloadStats stats() const { return stats_; }
    uint64_t version() const;
    size_t rules_loaded() const;
    size_t sets_waiting() const { return publication_.waiting(); }
    const std::shared_ptr<const rules::RuleSet> &current() const { return publication_.owner(); }  // may be null
    const std::vector<std::string> &files() const { return files_; }

private:
    void finish(rules::LoadReport report);
    rules::LoadOptions options() const;

    RulePublication &publication_;
    std::vector<std::string> files_;
    size_t workers_;
    std::future<rules::LoadReport> pending_;
    Done done_;
    std::future<ReloadResult> validating_;
    Done validated_;
    std::string source_;  // what the reload in flight reads: "files" or "request"
    ReloadStats stats_;
    double loaded_at_ = 0;
};

}  // namespace postern::dataplane
