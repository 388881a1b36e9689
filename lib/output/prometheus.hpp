// Prometheus text exposition format 0.0.4: families with HELP and TYPE, samples with escaped
// label values, histograms as cumulative _bucket{le} series plus _sum and _count. The writer
// checks what it can cheaply (names, one TYPE per family, counters ending in _total) so a bad
// metric is a failing unit test rather than a scrape error.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <set>
#include <span>
#include <string>
#include <string_view>

namespace postern::output {

struct PromLabel {
    std::string_view name;
    std::string_view value;
};

enum class PromType { Counter, Gauge, Histogram };

class PromWriter {
public:
    explicit PromWriter(std::string &out) : out_(out) {}

    // Starts a family. Counter names must end in _total. Throws std::logic_error on a bad or
    // repeated name (a programming error).
    void family(std::string_view name, PromType type, std::string_view help);
    // A sample of the current counter or gauge family.
    void sample(std::initializer_list<PromLabel> labels, double value) { sample(std::span(labels.begin(), labels.size()), value); }
    void sample(std::span<const PromLabel> labels, double value);
    void sample(double value) { sample(std::span<const PromLabel>{}, value); }
    // One histogram series of the current histogram family: `upper_bounds` (ascending, in the
    // exported unit) with per-bucket (not cumulative) counts; counts has one more entry, +Inf.
    void histogram(std::span<const PromLabel> labels, std::span<const double> upper_bounds,
                   std::span<const uint64_t> counts, double sum);

    static std::string escape_label_value(std::string_view v);
    static std::string escape_help(std::string_view v);
    static bool valid_metric_name(std::string_view name);
    static bool valid_label_name(std::string_view name);
    static std::string format_value(double v);

private:
    void write_series(std::string_view suffix, std::span<const PromLabel> labels, const PromLabel *extra,
                      std::string_view value);

    std::string &out_;
    std::string current_;
    PromType type_ = PromType::Gauge;
    std::set<std::string, std::less<>> seen_;
};

}  // namespace postern::output
