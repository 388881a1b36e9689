#include "output/prometheus.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace postern::output {

namespace {
bool name_char(char c, bool first, bool colon) {
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
    return alpha || (!first && c >= '0' && c <= '9');
}
}  // namespace

bool PromWriter::valid_metric_name(std::string_view n) {
    if (n.empty()) return false;
    for (size_t i = 0; i < n.size(); ++i)
        if (!name_char(n[i], i == 0, true)) return false;
    return true;
}

bool PromWriter::valid_label_name(std::string_view n) {
    if (n.empty() || n.rfind("__", 0) == 0) return false;
    for (size_t i = 0; i < n.size(); ++i)
        if (!name_char(n[i], i == 0, false)) return false;
    return true;
}

std::string PromWriter::escape_label_value(std::string_view v) {
    std::string s;
    s.reserve(v.size());
    for (char c : v) {
        if (c == '\\') s += "\\\\";
        else if (c == '"') s += "\\\"";
        else if (c == '\n') s += "\\n";
        else s += c;
    }
    return s;
}

std::string PromWriter::escape_help(std::string_view v) {
    std::string s;
    for (char c : v) {
        if (c == '\\') s += "\\\\";
        else if (c == '\n') s += "\\n";
        else s += c;
    }
    return s;
}

std::string PromWriter::format_value(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    // Integers (counters) exactly, up to 2^53; everything else with round-trip precision.
    if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0) return std::to_string(static_cast<int64_t>(v));
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

void PromWriter::family(std::string_view name, PromType type, std::string_view help) {
    if (!valid_metric_name(name)) throw std::logic_error("invalid metric name: " + std::string(name));
    if (type == PromType::Counter && (name.size() < 6 || name.substr(name.size() - 6) != "_total"))
        throw std::logic_error("counter without _total: " + std::string(name));
    if (!seen_.insert(std::string(name)).second) throw std::logic_error("metric family twice: " + std::string(name));
    current_ = name;
    type_ = type;
    static constexpr std::string_view kTypes[] = {"counter", "gauge", "histogram"};
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += escape_help(help);
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += kTypes[static_cast<int>(type)];
    out_ += '\n';
}

void PromWriter::write_series(std::string_view suffix, std::span<const PromLabel> labels, const PromLabel *extra,
                              std::string_view value) {
    out_ += current_;
    out_ += suffix;
    if (!labels.empty() || extra) {
        out_ += '{';
        bool first = true;
        auto put = [&](const PromLabel &l) {
            if (!valid_label_name(l.name) || (extra && l.name == "le" && &l != extra))
                throw std::logic_error("invalid label name: " + std::string(l.name));
            if (!first) out_ += ',';
            first = false;
            out_ += l.name;
            out_ += "=\"";
            out_ += escape_label_value(l.value);
            out_ += '"';
        };
        for (const auto &l : labels) put(l);
        if (extra) put(*extra);
        out_ += '}';
    }
    out_ += ' ';
    out_ += value;
    out_ += '\n';
}

void PromWriter::sample(std::span<const PromLabel> labels, double value) {
    if (current_.empty() || type_ == PromType::Histogram) throw std::logic_error("sample outside a counter/gauge family");
    write_series("", labels, nullptr, format_value(value));
}

void PromWriter::histogram(std::span<const PromLabel> labels, std::span<const double> upper_bounds,
                           std::span<const uint64_t> counts, double sum) {
    if (type_ != PromType::Histogram || counts.size() != upper_bounds.size() + 1)
        throw std::logic_error("histogram: wrong family or bucket count");
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= upper_bounds.size(); ++i) {
        cumulative += counts[i];
        const std::string le = i < upper_bounds.size() ? format_value(upper_bounds[i]) : "+Inf";
        const PromLabel l{"le", le};
        write_series("_bucket", labels, &l, std::to_string(cumulative));
    }
    write_series("_sum", labels, nullptr, format_value(sum));
    write_series("_count", labels, nullptr, std::to_string(cumulative));
}

}  // namespace postern::output
